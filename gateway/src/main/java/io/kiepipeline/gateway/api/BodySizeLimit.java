package io.kiepipeline.gateway.api;

import io.kiepipeline.schemas.Limits;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Refuses a body over its limit with 413 before anything parses it: {@link Limits#API_BODY_BYTES} for the API,
 * {@link Limits#CALLBACK_BODY_BYTES} for KIE callbacks, {@link Limits#TELEGRAM_WEBHOOK_BODY_BYTES} for Telegram's
 * webhook, {@link #SANDBOX_BODY_BYTES} for the sandbox page (a photo, base64). A declared Content-Length over the
 * limit is refused unread; a chunked body is read up to one byte past the limit, never further.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class BodySizeLimit extends OncePerRequestFilter {
    /** A 10 MB photo as base64, and its JSON around it. */
    static final int SANDBOX_BODY_BYTES = 14 * 1024 * 1024;
    private static final Logger log = LoggerFactory.getLogger(BodySizeLimit.class);

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String path = request.getRequestURI();
        boolean callback = path.startsWith("/kie/");
        int limit = callback ? Limits.CALLBACK_BODY_BYTES : path.startsWith("/telegram/")
                ? Limits.TELEGRAM_WEBHOOK_BODY_BYTES : path.startsWith("/sandbox/") ? SANDBOX_BODY_BYTES
                : Limits.API_BODY_BYTES;
        if (!"POST".equals(request.getMethod()) && !"PUT".equals(request.getMethod())) {
            chain.doFilter(request, response);
            return;
        }
        long declared = request.getContentLengthLong();
        byte[] body = declared > limit ? null : request.getInputStream().readNBytes(limit + 1);
        if (body == null || body.length > limit) {
            log.atWarn().addKeyValue("path", path).addKeyValue("limitBytes", limit)
                    .addKeyValue("declaredBytes", declared).log("request.refused; body too large");
            response.setStatus(413);
            response.setContentType("application/json");
            String message = "the body is larger than " + limit + " bytes";
            response.getWriter().write(callback
                    ? "{\"code\":413,\"msg\":\"" + message + "\"}"
                    : "{\"error\":\"body_too_large\",\"message\":\"" + message + "\"}");
            return;
        }
        chain.doFilter(new Buffered(request, body), response);
    }

    /** The request with its body already read into memory (at most the limit). */
    private static final class Buffered extends HttpServletRequestWrapper {
        private final byte[] body;

        Buffered(HttpServletRequest request, byte[] body) {
            super(request);
            this.body = body;
        }

        @Override
        public ServletInputStream getInputStream() {
            InputStream in = new ByteArrayInputStream(body);
            return new ServletInputStream() {
                @Override
                public boolean isFinished() {
                    try {
                        return in.available() == 0;
                    } catch (IOException e) {
                        return true;
                    }
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    throw new UnsupportedOperationException("synchronous reads only");
                }

                @Override
                public int read() throws IOException {
                    return in.read();
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    return in.read(b, off, len);
                }
            };
        }

        @Override
        public BufferedReader getReader() {
            String encoding = getCharacterEncoding();
            return new BufferedReader(new InputStreamReader(new ByteArrayInputStream(body),
                    encoding == null ? StandardCharsets.UTF_8 : java.nio.charset.Charset.forName(encoding)));
        }

        @Override
        public int getContentLength() {
            return body.length;
        }

        @Override
        public long getContentLengthLong() {
            return body.length;
        }
    }
}
