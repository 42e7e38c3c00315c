package io.kiepipeline.gateway.api;

import io.kiepipeline.platform.http.ServiceInstances;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpStatusCode;
import org.springframework.stereotype.Component;
import org.springframework.web.client.HttpClientErrorException;
import org.springframework.web.client.HttpServerErrorException;
import org.springframework.web.client.RestClient;

/**
 * Reads go to the service that owns the data, over its internal HTTP API. {@code ORCHESTRATOR_URL} and
 * {@code LEDGER_URL} may list several instances, comma-separated: reads are spread over them, and one that cannot be
 * reached or answers 5xx (it is down, or shutting down) is skipped for the next. Every read is a GET, safe to repeat.
 */
@Component
public class Backends {
    private final ServiceInstances orchestrator;
    private final ServiceInstances ledger;
    private final ServiceInstances analytics;

    @org.springframework.beans.factory.annotation.Autowired
    public Backends(RestClient.Builder builder, io.kiepipeline.gateway.GatewaySettings settings) {
        this(builder, settings.orchestratorUrl(), settings.ledgerUrl(), settings.analyticsUrl());
    }

    public Backends(RestClient.Builder builder, String orchestratorUrl, String ledgerUrl, String analyticsUrl) {
        // an instance that hangs (waiting for its database, say) is given up on like one that is down
        this.orchestrator = new ServiceInstances(builder, orchestratorUrl, Duration.ofSeconds(2), Duration.ofSeconds(5));
        this.ledger = new ServiceInstances(builder, ledgerUrl, Duration.ofSeconds(2), Duration.ofSeconds(5));
        // an analytics query may ask its other instances in turn: a little more time
        this.analytics = new ServiceInstances(builder, analyticsUrl, Duration.ofSeconds(2), Duration.ofSeconds(10));
    }

    /** Jobs the orchestrator's timer is not moving on, longest first. */
    public List<Map<String, Object>> stuckJobs(int limit) {
        return orchestrator.read(c -> c.get().uri("/internal/operator/stuck-jobs?limit={n}", limit).retrieve()
                .body(new ParameterizedTypeReference<List<Map<String, Object>>>() {
                }));
    }

    /** The latest failed or refused jobs, newest first. */
    public List<Map<String, Object>> recentFailures(int limit) {
        return orchestrator.read(c -> c.get().uri("/internal/operator/recent-failures?limit={n}", limit).retrieve()
                .body(new ParameterizedTypeReference<List<Map<String, Object>>>() {
                }));
    }

    /** The ledger's holds open longest, oldest first. */
    public List<Map<String, Object>> openHolds(int limit) {
        return ledger.read(c -> c.get().uri("/internal/operator/open-holds?limit={n}", limit).retrieve()
                .body(new ParameterizedTypeReference<List<Map<String, Object>>>() {
                }));
    }

    /** The analytics service's live figures: totals, the last {@code minutes} per model, a user's last days. */
    public io.kiepipeline.schemas.AnalyticsViews.Stats stats(int minutes, Long userId, int days) {
        return analytics.read(c -> c.get().uri(u -> {
            u.path("/internal/stats").queryParam("minutes", minutes).queryParam("days", days);
            if (userId != null) {
                u.queryParam("user", userId);
            }
            return u.build();
        }).retrieve().body(io.kiepipeline.schemas.AnalyticsViews.Stats.class));
    }


    public Optional<Map<String, Object>> job(String jobId) {
        try {
            return Optional.ofNullable(orchestrator.read(c -> c.get().uri("/internal/jobs/{id}", jobId).retrieve()
                    .body(new ParameterizedTypeReference<Map<String, Object>>() {
                    })));
        } catch (HttpClientErrorException e) {
            if (e.getStatusCode().isSameCodeAs(HttpStatusCode.valueOf(404))) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** A user's latest jobs, newest first. */
    public List<Map<String, Object>> history(long userId, int limit) {
        return orchestrator.read(c -> c.get().uri("/internal/users/{id}/jobs?limit={limit}", userId, limit)
                .retrieve().body(new ParameterizedTypeReference<List<Map<String, Object>>>() {
                }));
    }

    public List<Map<String, Object>> models() {
        return orchestrator.read(c -> c.get().uri("/internal/models").retrieve()
                .body(new ParameterizedTypeReference<List<Map<String, Object>>>() {
                }));
    }

    /** Every model and option combination with its price, for operators. */
    public Map<String, Object> prices() {
        return orchestrator.read(c -> c.get().uri("/internal/prices").retrieve()
                .body(new ParameterizedTypeReference<Map<String, Object>>() {
                }));
    }

    /** The KIE accounts' state: every key's breaker and credits. */
    public Map<String, Object> kieAccounts() {
        return orchestrator.read(c -> c.get().uri("/internal/kie-accounts").retrieve()
                .body(new ParameterizedTypeReference<Map<String, Object>>() {
                }));
    }

    /** The orchestrator's answer to a quote request: 201 with the quote, or 4xx with why not. */
    public record Answer(int status, Map<String, Object> body) {
    }

    /**
     * Asks for a quote. Safe to send to another instance after a failure: at worst a second quote is stored, and an
     * unused quote only expires.
     */
    public Answer quote(Map<String, Object> request) {
        return orchestrator.read(c -> c.post().uri("/internal/quotes").body(request)
                .exchange((req, res) -> {
                    Map<String, Object> body = res.bodyTo(new ParameterizedTypeReference<Map<String, Object>>() {
                    });
                    // an instance down or stopping: the next one is asked; KIE being unavailable is an answer
                    if (res.getStatusCode().is5xxServerError()
                            && !(body != null && "temporarily_unavailable".equals(body.get("error")))) {
                        throw new HttpServerErrorException(res.getStatusCode());
                    }
                    return new Answer(res.getStatusCode().value(), body == null ? Map.of() : body);
                }));
    }

    /** A top-up the ledger applied under a reference. */
    public record Deposit(String reference, long userId, long amountMinor, String currency) {
    }

    public Optional<Deposit> deposit(String reference) {
        try {
            return Optional.ofNullable(ledger.read(c -> c.get().uri(u -> u.path("/internal/deposits")
                    .queryParam("reference", "{reference}").build(reference)).retrieve().body(Deposit.class)));
        } catch (HttpClientErrorException e) {
            if (e.getStatusCode().isSameCodeAs(HttpStatusCode.valueOf(404))) {
                return Optional.empty();
            }
            throw e;
        }
    }

    public Map<String, Object> account(long userId) {
        return ledger.read(c -> c.get().uri("/internal/accounts/{id}", userId).retrieve()
                .body(new ParameterizedTypeReference<Map<String, Object>>() {
                }));
    }
}
