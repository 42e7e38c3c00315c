package io.kiepipeline.allinone;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Prices by option through the API: quotes, their refusals, and the operators' price list. */
class QuotesPipelineTest extends PipelineTest {
    private static final String VIDEO = "kling-2.6/image-to-video";
    private static final Map<String, Object> CLIP = Map.of("prompt", "a cat walks", "image_urls",
            List.of("https://example.com/cat.png"));

    @Test
    void theOptionsSetThePriceAndTheHoldEqualsTheQuote() {
        long user = aUserWithBalance(100_000);
        String prompt = aPrompt("a quoted cat");
        Map<String, Object> loud = Map.of("prompt", prompt, "image_urls", List.of("https://example.com/cat.png"),
                "duration", "10", "sound", true);

        JsonNode silent = api.quote(user, VIDEO, CLIP, "en").body();
        JsonNode quote = api.quote(user, VIDEO, loud, "en").body();
        assertThat(quote.path("priceMinor").asLong()).isGreaterThan(silent.path("priceMinor").asLong());
        assertThat(quote.path("options").path("duration").asString()).isEqualTo("10");
        assertThat(quote.path("catalogVersion").asString()).isNotBlank();
        String jobId = api.requestQuoted("key-" + UUID.randomUUID(), user, VIDEO, quote.path("quoteId").asString())
                .body().path("jobId").asString();

        JsonNode job = awaitStatus(jobId, "DELIVERED");
        assertThat(job.path("priceMinor").asLong()).isEqualTo(quote.path("priceMinor").asLong());
        assertThat(job.path("catalogVersion").asString()).isEqualTo(quote.path("catalogVersion").asString());
        assertThat(available(user)).isEqualTo(100_000 - quote.path("priceMinor").asLong());
        assertThat(kie.tasksFor(prompt)).singleElement().satisfies(t -> {
            assertThat(t.input().path("duration").asString()).isEqualTo("10");
            assertThat(t.input().path("sound").asBoolean()).isTrue();
        });
    }

    @Test
    void aQuoteServesOneJob() {
        long user = aUserWithBalance(100_000);
        String quoteId = api.quote(user, VIDEO, CLIP, "en").body().path("quoteId").asString();

        String first = api.requestQuoted("key-" + UUID.randomUUID(), user, VIDEO, quoteId).body().path("jobId")
                .asString();
        String second = api.requestQuoted("key-" + UUID.randomUUID(), user, VIDEO, quoteId).body().path("jobId")
                .asString();

        awaitStatus(first, "DELIVERED");
        JsonNode refused = awaitStatus(second, "REJECTED");
        assertThat(refused.path("failureReason").asString()).isEqualTo("QUOTE_INVALID");
        assertThat(capturesOf(second)).isZero();
    }

    @Test
    void anotherUsersQuoteIsRefusedBeforeAnyHold() {
        long owner = aUserWithBalance(100_000);
        long thief = aUserWithBalance(100_000);
        String quoteId = api.quote(owner, VIDEO, CLIP, "en").body().path("quoteId").asString();

        String jobId = api.requestQuoted("key-" + UUID.randomUUID(), thief, VIDEO, quoteId).body().path("jobId")
                .asString();

        assertThat(awaitStatus(jobId, "REJECTED").path("failureReason").asString()).isEqualTo("QUOTE_INVALID");
        assertThat(available(thief)).isEqualTo(100_000);
        assertThat(db.count("select count(*) from ledger.hold where job_id = ?::uuid", jobId)).isZero();
    }

    @Test
    void anInvalidInputIsRefusedFieldByFieldInTheUsersLanguage() {
        long user = aNewUser();

        Api.Response ru = api.quote(user, VIDEO, Map.of("prompt", "кот", "image_urls",
                List.of("http://example.com/cat.png"), "duration", "7"), "ru");
        Api.Response en = api.quote(user, VIDEO, Map.of("image_urls", List.of("https://example.com/cat.png")), "en");

        assertThat(ru.status()).isEqualTo(422);
        assertThat(ru.body().path("error").asString()).isEqualTo("invalid_input");
        assertThat(ru.body().path("problems").findValuesAsString("field")).contains("duration", "image_urls");
        assertThat(ru.body().path("message").asString()).contains("Длительность").contains("https://");
        assertThat(en.status()).isEqualTo(422);
        assertThat(en.body().path("message").asString()).isEqualTo("Prompt is required");
    }

    @Test
    void anUnknownModelHasNoQuote() {
        Api.Response r = api.quote(aNewUser(), "no/such-model", Map.of("prompt", "x"), "en");

        assertThat(r.status()).isEqualTo(404);
        assertThat(r.body().path("error").asString()).isEqualTo("unknown_model");
    }

    @Test
    void operatorsSeeEveryModelAndEveryOptionCombinationWithItsPrice() {
        Api.Response forUser = api.get("/api/v1/admin/prices", TestPipeline.API_TOKEN);
        JsonNode prices = api.get("/api/v1/admin/prices", TestPipeline.ADMIN_TOKEN).body();

        assertThat(forUser.status()).isEqualTo(401);
        assertThat(prices.path("models").size()).isGreaterThanOrEqualTo(30);
        JsonNode kling = null;
        for (JsonNode m : prices.path("models")) {
            if (m.path("id").asString().equals(VIDEO)) {
                kling = m;
            }
        }
        assertThat(kling).isNotNull();
        assertThat(kling.path("pricedBy").toString()).isEqualTo("[\"duration\",\"sound\"]");
        assertThat(kling.path("prices").size()).isEqualTo(4);
        assertThat(kling.path("prices").findValues("priceMinor")).allMatch(p -> p.asLong() > 0);
        assertThat(kling.path("prices").get(0).path("kieUsd").asString()).isNotBlank();
    }
}
