package io.kiepipeline.gateway.api;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The gateway is the one service that faces the internet: on its public port only {@code /actuator/health} (and its
 * probes) is open; the rest of the actuator (metrics, Prometheus, info) answers 401 without
 * {@code Authorization: Bearer $ADMIN_TOKEN}. With {@code MANAGEMENT_PORT} set the actuator has a server of its own,
 * which this filter (a bean of the public server's context) does not guard: that port is meant to stay inside.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 1)
class ActuatorAccess extends OncePerRequestFilter {
    private final String adminToken;

    ActuatorAccess(io.kiepipeline.gateway.GatewaySettings settings) {
        this.adminToken = settings.adminToken();
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        // the path as the dispatcher maps it (decoded, ";params" removed, dot segments resolved), never the raw URI,
        // so that /actuator;x/prometheus or //actuator/prometheus cannot slip past
        String path = (request.getServletPath() + (request.getPathInfo() == null ? "" : request.getPathInfo()))
                .replaceAll("/{2,}", "/").toLowerCase(java.util.Locale.ROOT);
        boolean actuator = path.equals("/actuator") || path.startsWith("/actuator/");
        boolean health = path.equals("/actuator/health") || path.startsWith("/actuator/health/");
        return !actuator || health;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (Tokens.bearerMatches(request.getHeader("Authorization"), adminToken)) {
            chain.doFilter(request, response);
            return;
        }
        response.setStatus(401);
        response.setHeader("WWW-Authenticate", "Bearer");
        response.setContentType("application/json");
        response.getWriter().write("{\"error\":\"unauthorized\",\"message\":\"the actuator needs the admin token;"
                + " only /actuator/health is public\"}");
    }
}
