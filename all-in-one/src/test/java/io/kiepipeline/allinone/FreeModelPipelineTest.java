package io.kiepipeline.allinone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FreeModelPipelineTest {
    private final EmbeddedPipeline pipeline = TestPipeline.get();
    private final Api api = new Api(pipeline.gatewayUrl());

    @Test
    void deliversAFreeModelResultWithoutTouchingTheBalance() {
        long user = 10_001;
        var accepted = api.requestGeneration("free-1", user, "google/nano-banana", Map.of("prompt", "free fox 10001"));
        assertThat(accepted.status()).isEqualTo(202);
        String jobId = accepted.body().get("jobId").asString();

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(api.job(jobId).body().path("status").asString()).isEqualTo("DELIVERED"));

        assertThat(pipeline.telegram().sentTo(user)).singleElement().satisfies(sent -> {
            assertThat(sent.method()).isEqualTo("sendPhoto");
            assertThat(sent.mediaUrl()).endsWith("/files/result.png");
        });
        var account = api.account(user).body();
        assertThat(account.get("availableMinor").asLong()).isZero();
        assertThat(account.get("heldMinor").asLong()).isZero();
    }
}
