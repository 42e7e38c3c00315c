package io.kiepipeline.cluster.chaos;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * HTTP as an outside client sees the system: the public REST API and callback URL (written from the README and
 * KIE's callback contract), and the emulators' control APIs. No class of a service is used.
 */
final class Clients {
    static final ObjectMapper JSON = JsonMapper.builder().build();

    /** An answer; status -1 when the request got no HTTP answer at all (refused, reset, timed out). */
    record Reply(int status, String body) {
        JsonNode json() {
            return body == null || body.isEmpty() ? JSON.createObjectNode() : JSON.readTree(body);
        }

        boolean is2xx() {
            return status >= 200 && status < 300;
        }

        boolean is5xxOrNone() {
            return status < 0 || status >= 500;
        }
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2))
            .version(HttpClient.Version.HTTP_1_1).build();

    Reply get(String url, Map<String, String> headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20)).GET();
        headers.forEach(b::header);
        return send(b);
    }

    Reply post(String url, Map<String, String> headers, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(b::header);
        return send(b);
    }

    Reply post(String url, String body) {
        return post(url, Map.of(), body);
    }

    String json(Object value) {
        return JSON.writeValueAsString(value);
    }

    private Reply send(HttpRequest.Builder b) {
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Reply(r.statusCode(), r.body());
        } catch (IOException e) {
            return new Reply(-1, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Reply(-1, "interrupted");
        }
    }

    static List<JsonNode> list(JsonNode array) {
        return array == null || !array.isArray() ? List.of() : array.valueStream().toList();
    }
}
