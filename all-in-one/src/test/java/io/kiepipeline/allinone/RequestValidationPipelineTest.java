package io.kiepipeline.allinone;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Bad input gets a clear error, and nothing is created, held or charged. */
class RequestValidationPipelineTest extends PipelineTest {
    @Test
    void refusesARequestWithoutTheApiToken() {
        var r = api.post("/api/v1/generations", "wrong-token", "k-1",
                Map.of("userId", 1, "chatId", 1, "model", "google/nano-banana", "input", Map.of("prompt", "x")));
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.body().path("error").asString()).isEqualTo("unauthorized");
        assertThat(api.get("/api/v1/jobs/" + java.util.UUID.randomUUID(), null).status()).isEqualTo(401);
    }

    @Test
    void refusesATopUpWithTheUserToken() {
        var r = api.post("/api/v1/admin/deposits", TestPipeline.API_TOKEN, null,
                Map.of("userId", 1, "amountMinor", 100, "reference", "nope"));
        assertThat(r.status()).isEqualTo(401);
    }

    @Test
    void refusesARequestWithoutAnIdempotencyKey() {
        var r = api.post("/api/v1/generations", TestPipeline.API_TOKEN, null,
                Map.of("userId", 1, "chatId", 1, "model", "google/nano-banana", "input", Map.of("prompt", "x")));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.body().path("error").asString()).isEqualTo("idempotency_key_required");
    }

    @Test
    void refusesMalformedBodies() {
        assertThat(api.postRaw("/api/v1/generations", TestPipeline.API_TOKEN, "k-2", "{not json").status())
                .isEqualTo(400);
        var r = api.post("/api/v1/generations", TestPipeline.API_TOKEN, "k-3",
                Map.of("userId", "abc", "chatId", 1, "model", "m", "input", Map.of()));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.body().path("message").asString()).contains("userId");
        var negative = api.post("/api/v1/admin/deposits", TestPipeline.ADMIN_TOKEN, null,
                Map.of("userId", 5, "amountMinor", -100, "reference", "neg"));
        assertThat(negative.status()).isEqualTo(400);
        assertThat(negative.body().path("message").asString()).contains("amountMinor");
    }

    @Test
    void rejectsAnUnknownModelAndTellsTheUser() {
        long user = aNewUser();
        String prompt = aPrompt("a fox from nowhere");

        String jobId = request(user, "unknown/model-x", prompt);

        var job = awaitStatus(jobId, "REJECTED");
        assertThat(job.path("failureReason").asString()).isEqualTo("UNKNOWN_MODEL");
        assertThat(awaitMessages(user, 1).getFirst().text()).contains("no model called unknown/model-x");
        assertThat(kie.callsFor(prompt)).isEmpty();
    }

    @Test
    void rejectsInputThatBreaksTheModelSchema() {
        long user = aUserWithBalance(10_000);
        String prompt = aPrompt("a fox in the wrong ratio");

        String jobId = request(user, "nano-banana-pro", Map.of("prompt", prompt, "aspect_ratio", "7:3"),
                "key-" + prompt);

        var job = awaitStatus(jobId, "REJECTED");
        assertThat(job.path("failureReason").asString()).isEqualTo("INVALID_INPUT");
        assertThat(job.path("failureDetail").asString()).contains("Aspect ratio must be one of").contains("16:9");
        assertThat(kie.callsFor(prompt)).isEmpty();
        assertThat(available(user)).isEqualTo(10_000);
        assertThat(held(user)).isZero();
    }
}
