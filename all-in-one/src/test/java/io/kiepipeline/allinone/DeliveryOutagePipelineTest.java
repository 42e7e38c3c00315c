package io.kiepipeline.allinone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kiepipeline.emulators.TelegramEmulator.Failure;
import io.kiepipeline.schemas.Ids;
import io.kiepipeline.schemas.UserId;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;

/**
 * A paid result reaches the chat once, whatever Telegram does meanwhile: an outage longer than any in-place retry
 * budget, a long flood-control wait in another chat.
 */
class DeliveryOutagePipelineTest extends PipelineTest {
    private static final int PARTITIONS = 3;

    @Test
    void deliversAPaidResultOnceWhenTelegramComesBackAfterALongOutage() {
        long user = aUserWithBalance(10_000);
        telegram.unavailableFor(Duration.ofSeconds(20));
        try {
            String jobId = request(user, "nano-banana-pro", aPrompt("a fox during an outage"));

            awaitStatus(jobId, "SUCCEEDED");
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                    assertThat(api.job(jobId).body().path("status").asString()).isEqualTo("DELIVERED"));
            assertThat(telegram.sendCallsTo(user)).as("tried again and again during the outage").isGreaterThan(5);
            assertThat(telegram.sentTo(user).stream().filter(m -> "sendPhoto".equals(m.method())))
                    .as("the result, exactly once").hasSize(1);
            assertThat(capturesOf(jobId)).isEqualTo(1);
            assertThat(available(user)).isEqualTo(10_000 - 1500);
            assertThat(held(user)).isZero();
        } finally {
            telegram.available();
        }
    }

    @Test
    void deliversToAnotherChatWhileOneChatWaitsOutALongRetryAfter() {
        long waiting = aNewUser();
        long other = aNewUser();
        telegram.failNext(waiting, Failure.tooManyRequests(30));
        String waitingKey = "key-" + UUID.randomUUID();
        String waitingJob = request(waiting, "google/nano-banana", Map.of("prompt", aPrompt("a fox in a flood")),
                waitingKey);
        await().atMost(PATIENCE).until(() -> telegram.sendCallsTo(waiting) == 1);

        // the other job on the same partition as the waiting one: the old worker slept there on the consumer thread
        String otherKey = aKeyOnTheSamePartition(other, waitingJob);
        String otherJob = request(other, "google/nano-banana", Map.of("prompt", aPrompt("a fox next door")), otherKey);

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(api.job(otherJob).body().path("status").asString()).isEqualTo("DELIVERED"));
        assertThat(telegram.sentTo(other)).extracting(m -> m.method()).containsExactly("sendPhoto");
        assertThat(api.job(waitingJob).body().path("status").asString()).isEqualTo("SUCCEEDED");
        assertThat(telegram.sentTo(waiting)).isEmpty();
    }

    private static String aKeyOnTheSamePartition(long user, String jobId) {
        int partition = partitionOf(jobId);
        while (true) {
            String key = "key-" + UUID.randomUUID();
            if (partitionOf(Ids.jobIdForApiRequest(new UserId(user), key).toString()) == partition) {
                return key;
            }
        }
    }

    /** Kafka's default partitioner for a keyed record. */
    private static int partitionOf(String key) {
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % PARTITIONS;
    }
}
