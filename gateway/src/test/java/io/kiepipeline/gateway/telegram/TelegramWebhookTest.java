package io.kiepipeline.gateway.telegram;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kiepipeline.gateway.publishing.Publisher;
import io.kiepipeline.schemas.Message;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.mockito.Mockito;
import org.telegram.telegrambots.meta.generics.TelegramClient;

/** The webhook acknowledges an update (200) only once Kafka has it, whichever copy of it Telegram sent. */
class TelegramWebhookTest {
    private static final String SECRET = "a-webhook-secret-0123456789";
    private static final byte[] UPDATE = ("{\"update_id\":501,\"message\":{\"message_id\":1,\"date\":1,"
            + "\"chat\":{\"id\":42,\"type\":\"private\"},\"from\":{\"id\":42,\"is_bot\":false},\"text\":\"/start\"}}")
            .getBytes(StandardCharsets.UTF_8);

    private final CountDownLatch kafkaAnswers = new CountDownLatch(1);
    private final AtomicBoolean kafkaTakesIt = new AtomicBoolean(false);
    private final AtomicInteger publishes = new AtomicInteger();
    private final Publisher kafka = new Publisher(null, Duration.ofSeconds(1)) {
        @Override
        public void publish(Message message, String correlationId) {
            publishes.incrementAndGet();
            try {
                kafkaAnswers.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (!kafkaTakesIt.get()) {
                throw new Unavailable("Kafka did not take the message", new RuntimeException("timeout"));
            }
        }
    };
    private final TelegramWebhook webhook = new TelegramWebhook(new TelegramUpdateForwarder(kafka,
            Clock.systemUTC()), Mockito.mock(TelegramClient.class), SECRET, "https://bot.example");

    @Test
    void aCopyThatArrivesWhileTheFirstWaitsForKafkaIsNotAcknowledgedBeforeIt() throws Exception {
        CompletableFuture<Integer> first = CompletableFuture.supplyAsync(
                () -> webhook.update(SECRET, UPDATE).getStatusCode().value());
        await().until(() -> publishes.get() == 1);

        int copy = webhook.update(SECRET, UPDATE).getStatusCode().value();
        kafkaAnswers.countDown();

        assertThat(copy).as("the copy, while the first is in flight").isEqualTo(503);
        assertThat(first.get(5, TimeUnit.SECONDS)).as("the first, which Kafka did not take").isEqualTo(503);
        kafkaTakesIt.set(true);
        assertThat(webhook.update(SECRET, UPDATE).getStatusCode().value()).as("Telegram's next try").isEqualTo(200);
        assertThat(webhook.update(SECRET, UPDATE).getStatusCode().value()).as("a copy after it").isEqualTo(200);
        assertThat(publishes).as("the copy after the published one is not published again").hasValue(2);
    }

    @Test
    void refusesAnUpdateWithoutTheSecretUnread() {
        assertThat(webhook.update(null, UPDATE).getStatusCode().value()).isEqualTo(401);
        assertThat(webhook.update("a-webhook-secret-0123456780", UPDATE).getStatusCode().value()).isEqualTo(401);
        assertThat(publishes).hasValue(0);
    }
}
