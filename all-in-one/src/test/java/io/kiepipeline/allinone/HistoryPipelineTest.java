package io.kiepipeline.allinone;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** A user's latest jobs, newest first, as /history will show them: status, price, prompt, results. */
class HistoryPipelineTest extends PipelineTest {
    @Test
    void listsAUsersLatestJobsNewestFirstAndOnlyTheirs() {
        long user = aUserWithBalance(10_000);
        String first = request(user, "nano-banana-pro", aPrompt("first fox"));
        awaitStatus(first, "DELIVERED");
        String second = request(user, "no-such/model", Map.of("prompt", "second fox"), "key-" + UUID.randomUUID());
        awaitStatus(second, "REJECTED");
        long other = aNewUser();

        JsonNode jobs = history(user, 10).path("jobs");

        assertThat(jobs).hasSize(2);
        assertThat(jobs.get(0).path("jobId").asString()).isEqualTo(second);
        assertThat(jobs.get(0).path("failureReason").asString()).isEqualTo("UNKNOWN_MODEL");
        assertThat(jobs.get(1).path("jobId").asString()).isEqualTo(first);
        assertThat(jobs.get(1).path("status").asString()).isEqualTo("DELIVERED");
        assertThat(jobs.get(1).path("priceMinor").asLong()).isEqualTo(1500);
        assertThat(jobs.get(1).path("prompt").asString()).startsWith("first fox");
        assertThat(jobs.get(1).path("resultUrls")).hasSize(1);
        assertThat(history(user, 1).path("jobs")).hasSize(1);
        assertThat(history(other, 10).path("jobs")).isEmpty();
    }

    @Test
    void refusesALimitOutOfRangeAndARequestWithoutAToken() {
        assertThat(api.get("/api/v1/users/1/jobs?limit=0", TestPipeline.API_TOKEN).status()).isEqualTo(400);
        assertThat(api.get("/api/v1/users/1/jobs?limit=51", TestPipeline.API_TOKEN).status()).isEqualTo(400);
        assertThat(api.get("/api/v1/users/1/jobs", null).status()).isEqualTo(401);
    }

    private JsonNode history(long user, int limit) {
        Api.Response r = api.get("/api/v1/users/" + user + "/jobs?limit=" + limit, TestPipeline.API_TOKEN);
        assertThat(r.status()).isEqualTo(200);
        return r.body();
    }
}
