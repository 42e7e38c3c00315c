package io.kiepipeline.allinone;

import io.kiepipeline.schemas.MessageCodec;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/** The gateway's HTTP API, as a client sees it. */
final class Api {
    record Response(int status, JsonNode body) {
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;

    Api(String base) {
        this.base = base;
    }

    Response requestGeneration(String idempotencyKey, long userId, String model, Map<String, Object> input) {
        return post("/api/v1/generations", TestPipeline.API_TOKEN, idempotencyKey,
                Map.of("userId", userId, "chatId", userId, "model", model, "input", input));
    }

    Response quote(long userId, String model, Map<String, Object> input, String language) {
        return post("/api/v1/quotes", TestPipeline.API_TOKEN, null, Map.of("userId", userId, "model", model, "input",
                input, "language", language));
    }

    Response requestQuoted(String idempotencyKey, long userId, String model, String quoteId) {
        return post("/api/v1/generations", TestPipeline.API_TOKEN, idempotencyKey,
                Map.of("userId", userId, "chatId", userId, "model", model, "quoteId", quoteId));
    }

    Response deposit(long userId, long amountMinor, String reference) {
        return post("/api/v1/admin/deposits", TestPipeline.ADMIN_TOKEN, null,
                Map.of("userId", userId, "amountMinor", amountMinor, "reference", reference));
    }

    Response job(String jobId) {
        return get("/api/v1/jobs/" + jobId, TestPipeline.API_TOKEN);
    }

    Response account(long userId) {
        return get("/api/v1/accounts/" + userId, TestPipeline.API_TOKEN);
    }

    Response post(String path, String token, String idempotencyKey, Object body) {
        return postRaw(path, token, idempotencyKey, MessageCodec.mapper().writeValueAsString(body));
    }

    Response postRaw(String path, String token, String idempotencyKey, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (idempotencyKey != null) {
            b.header("Idempotency-Key", idempotencyKey);
        }
        return send(b.build());
    }

    Response get(String path, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(20)).GET();
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return send(b.build());
    }

    private Response send(HttpRequest request) {
        try {
            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
            JsonNode body = r.body() == null || r.body().isBlank() ? null : MessageCodec.mapper().readTree(r.body());
            return new Response(r.statusCode(), body);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
