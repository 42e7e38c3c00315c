package io.kiepipeline.emulators;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Small helpers for the emulators' HTTP handlers (JDK server, no framework). */
final class Http {
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
}
