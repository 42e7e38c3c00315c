package io.kiepipeline.allinone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kiepipeline.emulators.KieEmulator;
import io.kiepipeline.emulators.KieEmulator.Family;
import io.kiepipeline.emulators.KieEmulator.Rule;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;

/**
 * One job per KIE API family, end to end: quoted, held at the quote, created on the family's own endpoint in its own
 * request shape, called back in the family's own body (Suno three times), confirmed on the family's status endpoint,
 * charged exactly once and delivered with the right Telegram method.
 */
class KieFamiliesPipelineTest extends PipelineTest {

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource({
            "MARKET, kling-2.6/image-to-video, sendVideo",
            "VEO, veo3.1/fast, sendVideo",
            "RUNWAY, runway/text-to-video, sendVideo",
            "GPT4O_IMAGE, gpt4o-image/text-to-image, sendPhoto",
            "FLUX_KONTEXT, flux-kontext-pro/text-to-image, sendPhoto",
            "SUNO, suno/v4.5, sendAudio"})
    void aJobOfEveryFamilyIsChargedOnceAtItsQuoteAndDelivered(Family family, String model, String method) {
        long user = aUserWithBalance(100_000);
        String prompt = aPrompt("family " + family);
        kie.addRule(Rule.forPrompt(prompt).taking(600));
        Map<String, Object> input = new LinkedHashMap<>(example(model));
        input.put("prompt", prompt);

        Api.Response quote = api.quote(user, model, input, "en");
        assertThat(quote.status()).as("quote: %s", quote.body()).isEqualTo(201);
        long price = quote.body().path("priceMinor").asLong();
        assertThat(price).isPositive();
        Api.Response accepted = api.requestQuoted("key-" + UUID.randomUUID(), user, model,
                quote.body().path("quoteId").asString());
        assertThat(accepted.status()).as("request: %s", accepted.body()).isEqualTo(202);
        String jobId = accepted.body().path("jobId").asString();

        JsonNode job = awaitStatus(jobId, "DELIVERED");
        assertThat(job.path("priceMinor").asLong()).isEqualTo(price);
        assertThat(job.path("quoteId").asString()).isEqualTo(quote.body().path("quoteId").asString());
        assertThat(kie.tasksFor(prompt)).singleElement().satisfies(t -> {
            assertThat(t.family()).isEqualTo(family);
            assertThat(t.input().path("prompt").asString()).isEqualTo(prompt);
        });
        await().atMost(PATIENCE).until(() -> held(user) == 0);
        assertThat(available(user)).isEqualTo(100_000 - price);
        assertThat(capturesOf(jobId)).isEqualTo(1);
        KieEmulator.Task task = kie.tasksFor(prompt).getFirst();
        await().atMost(PATIENCE).until(() -> kie.callbacksAccepted(task.taskId()) >= 1);
        // one message per result (Suno makes two tracks)
        assertThat(awaitMessages(user, task.resultUrls().size())).hasSize(task.resultUrls().size())
                .allSatisfy(m -> assertThat(m.method()).isEqualTo(method));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"VEO, veo3.1/fast", "RUNWAY, runway/text-to-video", "GPT4O_IMAGE, gpt4o-image/text-to-image",
            "FLUX_KONTEXT, flux-kontext-pro/text-to-image", "SUNO, suno/v4.5"})
    void aFailedTaskOfEveryFamilyReleasesTheHold(Family family, String model) {
        long user = aUserWithBalance(100_000);
        String prompt = aPrompt("failing family " + family);
        kie.addRule(Rule.forPrompt(prompt).taking(300).failing("400", "Your prompt was flagged"));
        Map<String, Object> input = new LinkedHashMap<>(example(model));
        input.put("prompt", prompt);

        String jobId = request(user, model, input, "key-" + UUID.randomUUID());

        JsonNode job = awaitStatus(jobId, "FAILED");
        assertThat(job.path("failureReason").asString()).isEqualTo("TASK_FAILED");
        assertThat(job.path("failureDetail").asString()).contains("400");
        await().atMost(PATIENCE).until(() -> settled(user, 100_000));
        assertThat(releasesOf(jobId)).isEqualTo(1);
        assertThat(capturesOf(jobId)).isZero();
    }

    private Map<String, Object> example(String model) {
        JsonNode models = api.get("/api/v1/models", TestPipeline.API_TOKEN).body();
        for (JsonNode m : models) {
            if (m.path("id").asString().equals(model)) {
                @SuppressWarnings("unchecked")
                Map<String, Object> example = io.kiepipeline.schemas.MessageCodec.mapper()
                        .convertValue(m.get("example"), Map.class);
                return example;
            }
        }
        throw new AssertionError("no model " + model + " on sale");
    }
}
