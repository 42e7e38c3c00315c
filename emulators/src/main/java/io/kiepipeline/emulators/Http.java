package io.kiepipeline.emulators;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Small helpers for the emulators' HTTP handlers (JDK server, no framework). */
final class Http {
    private static final Logger log = LoggerFactory.getLogger(Http.class);
    static final JsonMapper JSON = JsonMapper.builder().build();

    private Http() {
    }

    static void json(HttpExchange ex, int status, Object body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    static void bytes(HttpExchange ex, int status, String contentType, byte[] bytes) throws IOException {
        ex.getResponseHeaders().set("Content-Type", contentType);
        ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        } else {
            ex.close();
        }
    }

    static byte[] body(HttpExchange ex) throws IOException {
        return ex.getRequestBody().readAllBytes();
    }

    static JsonNode jsonBody(HttpExchange ex) throws IOException {
        byte[] b = body(ex);
        return b.length == 0 ? JSON.createObjectNode() : JSON.readTree(b);
    }

    static Map<String, String> query(HttpExchange ex) {
        return formDecode(ex.getRequestURI().getRawQuery());
    }

    static Map<String, String> formDecode(String raw) {
        Map<String, String> out = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            out.put(k, v);
        }
        return out;
    }

    /**
     * The text fields of a request, whatever its encoding: JSON, form-urlencoded or multipart/form-data (TelegramBots
     * sends media methods as multipart even when the file is a URL).
     */
    static Map<String, String> fields(HttpExchange ex) throws IOException {
        Map<String, String> fields = new LinkedHashMap<>(query(ex));
        String type = ex.getRequestHeaders().getFirst("Content-Type");
        byte[] body = body(ex);
        if (body.length == 0) {
            return fields;
        }
        if (type != null && type.startsWith("multipart/form-data")) {
            String boundary = type.substring(type.indexOf("boundary=") + 9).replace("\"", "");
            String text = new String(body, StandardCharsets.UTF_8);
            for (String part : text.split("--" + java.util.regex.Pattern.quote(boundary))) {
                int headerEnd = part.indexOf("\r\n\r\n");
                if (headerEnd < 0) {
                    continue;
                }
                String headers = part.substring(0, headerEnd);
                int nameAt = headers.indexOf("name=\"");
                if (nameAt < 0) {
                    continue;
                }
                String name = headers.substring(nameAt + 6, headers.indexOf('"', nameAt + 6));
                String value = part.substring(headerEnd + 4);
                if (value.endsWith("\r\n")) {
                    value = value.substring(0, value.length() - 2);
                }
                fields.put(name, value);
            }
        } else if (type != null && type.startsWith("application/x-www-form-urlencoded")) {
            fields.putAll(formDecode(new String(body, StandardCharsets.UTF_8)));
        } else {
            JsonNode node = JSON.readTree(body);
            node.properties().forEach(e -> fields.put(e.getKey(),
                    e.getValue().isString() ? e.getValue().asString() : e.getValue().toString()));
        }
        return fields;
    }

    /** The seconds of a control body's {@code {"seconds": N}}, never negative. */
    static Duration seconds(HttpExchange ex) throws IOException {
        return Duration.ofSeconds(Math.max(0, jsonBody(ex).path("seconds").asLong(0)));
    }

    /**
     * An HTTP server on 127.0.0.1 that can go away (its listening socket closed, connections refused) and come back
     * on the same port with the same handlers; the emulator's state lives in the handlers' owner, so it survives.
     */
    static final class Rebindable {
        private static final long BIND_RETRY_MS = 100;
        private static final int BIND_ATTEMPTS = 100;
        private final String name;
        private final Consumer<HttpServer> handlers;
        private final ScheduledExecutorService scheduler;
        private final Object lock = new Object();
        private final int port;
        /** The running server; null while unreachable. Guarded by {@link #lock}. */
        private HttpServer server;
        /** Bumped by every {@link #unreachableFor}, so that only the latest one brings the server back. */
        private long generation;
        private boolean closed;

        /** Binds (port 0: any free port, then kept for every rebind) and starts serving. */
        Rebindable(String name, int port, Consumer<HttpServer> handlers) throws IOException {
            this.name = name;
            this.handlers = handlers;
            this.server = bind(port);
            this.port = server.getAddress().getPort();
            this.scheduler = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name(name + "-rebind")
                    .daemon().factory());
            server.start();
        }

        int port() {
            return port;
        }

        /** Whether the listening socket is open right now. */
        boolean reachable() {
            synchronized (lock) {
                return server != null;
            }
        }

        /**
         * Closes the listening socket and every open connection now, and binds again on the same port after the
         * outage. A second call while unreachable replaces the first one's end.
         */
        void unreachableFor(Duration outage) {
            HttpServer old;
            long gen;
            synchronized (lock) {
                if (closed) {
                    return;
                }
                old = server;
                server = null;
                gen = ++generation;
            }
            if (old != null) {
                stop(old);
            }
            log.info("{}: unreachable for {}", name, outage);
            scheduler.schedule(() -> rebind(gen, 1), Math.max(0, outage.toMillis()), TimeUnit.MILLISECONDS);
        }

        void close() {
            HttpServer s;
            synchronized (lock) {
                closed = true;
                s = server;
                server = null;
            }
            scheduler.shutdownNow();
            if (s != null) {
                stop(s);
            }
        }

        /** Binds again; the port may be briefly busy, so it retries for a while before giving up. */
        private void rebind(long gen, int attempt) {
            synchronized (lock) {
                if (closed || gen != generation || server != null) {
                    return;
                }
                try {
                    HttpServer s = bind(port);
                    s.start();
                    server = s;
                    log.info("{}: reachable again on port {}", name, port);
                    return;
                } catch (IOException e) {
                    if (attempt >= BIND_ATTEMPTS) {
                        log.error("{}: could not bind port {} again, giving up: {}", name, port, e.getMessage());
                        return;
                    }
                }
            }
            scheduler.schedule(() -> rebind(gen, attempt + 1), BIND_RETRY_MS, TimeUnit.MILLISECONDS);
        }

        private HttpServer bind(int onPort) throws IOException {
            HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", onPort), 0);
            s.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
            handlers.accept(s);
            return s;
        }

        private static void stop(HttpServer s) {
            s.stop(0);
            if (s.getExecutor() instanceof ExecutorService executor) {
                executor.shutdown();
            }
        }
    }
}
