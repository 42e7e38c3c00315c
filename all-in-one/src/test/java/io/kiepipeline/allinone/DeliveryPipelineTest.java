package io.kiepipeline.allinone;

import static org.assertj.core.api.Assertions.assertThat;

import io.kiepipeline.emulators.TelegramEmulator.Failure;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Telegram's refusals: 429 waits retry_after, 5xx retries, 403 (bot blocked) stops at once and is recorded. */
class DeliveryPipelineTest extends PipelineTest {
    @Test
    void waitsRetryAfterWhenTelegramRateLimitsAndThenDelivers() {
        long user = aNewUser();
        telegram.failNext(user, Failure.tooManyRequests(1), Failure.serverError());

        String jobId = request(user, "google/nano-banana", aPrompt("a fox in a busy chat"));

        awaitStatus(jobId, "DELIVERED");
        assertThat(telegram.sentTo(user)).singleElement()
                .satisfies(m -> assertThat(m.method()).isEqualTo("sendPhoto"));
    }

    @Test
    void recordsADeliveryFailureWhenTheUserBlockedTheBot() {
        long user = aUserWithBalance(10_000);
        telegram.block(user);

        String jobId = request(user, "nano-banana-pro", aPrompt("a fox for someone who left"));

        org.awaitility.Awaitility.await().atMost(PATIENCE).untilAsserted(() -> assertThat(
                api.job(jobId).body().path("deliveryFailure").asString()).startsWith("BOT_BLOCKED"));
        var job = api.job(jobId).body();
        assertThat(job.path("status").asString()).isEqualTo("SUCCEEDED");
        assertThat(telegram.sentTo(user)).isEmpty();
        assertThat(telegram.sendCallsTo(user)).as("a blocked bot is not retried").isEqualTo(1);
    }

    @Test
    void sendsVideoResultsWithSendVideo() {
        long user = aUserWithBalance(10_000);

        String jobId = request(user, "kling-2.6/image-to-video", Map.of("prompt", aPrompt("a running fox"),
                "image_urls", java.util.List.of("https://example.com/a-running-fox.png")), "video-" + user);

        awaitStatus(jobId, "DELIVERED");
        assertThat(telegram.sentTo(user)).singleElement().satisfies(m -> {
            assertThat(m.method()).isEqualTo("sendVideo");
            assertThat(m.mediaUrl()).endsWith(".mp4");
        });
        assertThat(available(user)).isEqualTo(10_000 - 6000);
    }
}
