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

    /** A file part of a multipart request: what a bot uploads. */
    record Upload(String field, String filename, String contentType, byte[] bytes) {
    }

    /** A request's fields (text) and uploaded files, whatever its encoding. */
    record Form(Map<String, String> fields, Map<String, Upload> files) {
    }

    /**
     * The text fields of a request, whatever its encoding: JSON, form-urlencoded or multipart/form-data (TelegramBots
     * sends media methods as multipart even when the file is a URL).
     */
    static Map<String, String> fields(HttpExchange ex) throws IOException {
        return form(ex).fields();
    }

    /** The fields and, for multipart/form-data, the uploaded files (a part with a filename) of a request. */
    static Form form(HttpExchange ex) throws IOException {
        Map<String, String> fields = new LinkedHashMap<>(query(ex));
        Map<String, Upload> files = new LinkedHashMap<>();
        String type = ex.getRequestHeaders().getFirst("Content-Type");
        byte[] body = body(ex);
        if (body.length == 0) {
            return new Form(fields, files);
        }
        if (type != null && type.startsWith("multipart/form-data")) {
            String boundary = type.substring(type.indexOf("boundary=") + 9).replace("\"", "");
            for (Upload part : multipart(body, boundary)) {
                if (part.filename() != null) {
                    files.put(part.field(), part);
                } else {
                    fields.put(part.field(), new String(part.bytes(), StandardCharsets.UTF_8));
                }
            }
        } else if (type != null && type.startsWith("application/x-www-form-urlencoded")) {
            fields.putAll(formDecode(new String(body, StandardCharsets.UTF_8)));
        } else {
            JsonNode node = JSON.readTree(body);
            node.properties().forEach(e -> fields.put(e.getKey(),
                    e.getValue().isString() ? e.getValue().asString() : e.getValue().toString()));
        }
        return new Form(fields, files);
    }

    /** The parts of a multipart/form-data body, read as bytes (a file part keeps its bytes exactly). */
    static java.util.List<Upload> multipart(byte[] body, String boundary) {
        byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        java.util.List<Upload> parts = new java.util.ArrayList<>();
        int at = indexOf(body, delimiter, 0);
        while (at >= 0) {
            int start = at + delimiter.length;
            if (start + 1 < body.length && body[start] == '-' && body[start + 1] == '-') {
                break; // the closing delimiter
            }
            int next = indexOf(body, delimiter, start);
            if (next < 0) {
                break;
            }
            // the part runs from after the delimiter's CRLF to the CRLF before the next delimiter
            int partStart = start + 2;
            int partEnd = next - 2;
            int headerEnd = indexOf(body, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1), partStart);
            if (headerEnd > 0 && headerEnd < partEnd) {
                String headers = new String(body, partStart, headerEnd - partStart, StandardCharsets.UTF_8);
                String name = attribute(headers, "name");
                if (name != null) {
                    String contentType = null;
                    for (String line : headers.split("\r\n")) {
                        if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-type:")) {
                            contentType = line.substring("content-type:".length()).trim();
                        }
                    }
                    parts.add(new Upload(name, attribute(headers, "filename"), contentType,
                            java.util.Arrays.copyOfRange(body, headerEnd + 4, Math.max(headerEnd + 4, partEnd))));
                }
            }
            at = next;
        }
        return parts;
    }

    private static String attribute(String headers, String name) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("[; ]" + name + "=\"([^\"]*)\"").matcher(headers);
        return m.find() ? m.group(1) : null;
    }

    private static int indexOf(byte[] data, byte[] pattern, int from) {
        outer:
        for (int i = Math.max(0, from); i <= data.length - pattern.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (data[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
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
