package io.kiepipeline.gateway.telegram;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.kiepipeline.gateway.publishing.Publisher;
import io.kiepipeline.schemas.Limits;
import io.kiepipeline.schemas.Message;
import io.kiepipeline.schemas.TelegramUpdate.TelegramUpdateReceived;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.telegram.telegrambots.meta.api.objects.Update;

class TelegramUpdateForwarderTest {
    private final List<Message> published = new CopyOnWriteArrayList<>();
    private final AtomicInteger refusals = new AtomicInteger();
    private final Publisher kafka = new Publisher(null, Duration.ofSeconds(1)) {
        @Override
        public void publish(Message message, String correlationId) {
            published.add(message);
            if (refusals.getAndDecrement() > 0) {
                throw new Unavailable("Kafka did not take the message", new RuntimeException("timeout"));
            }
        }
    };
    private final TelegramUpdateForwarder forwarder = new TelegramUpdateForwarder(kafka, Clock.systemUTC());

    @Test
    void publishesAnUpdateAgainUntilKafkaTakesItBeforeTheNextOne() {
        refusals.set(2);
        TelegramUpdateForwarder.Session session = forwarder.session();
        session.raw().put(7, "{\"update_id\":7,\"message\":{\"chat\":{\"id\":42},\"text\":\"/start\"}}");
        session.raw().put(8, "{\"update_id\":8,\"message\":{\"chat\":{\"id\":42},\"text\":\"/help\"}}");

        session.consume(List.of(carrier(7), carrier(8)));

        assertThat(published).extracting(m -> ((TelegramUpdateReceived) m).updateId()).containsExactly(7L, 7L, 7L, 8L);
        assertThat(session.raw()).isEmpty();
    }

    @Test
    void aSessionStoppedWhileKafkaIsDownGivesUpWithoutConfirmingAndLeavesTheNextSessionAlone() throws Exception {
        refusals.set(Integer.MAX_VALUE);
        TelegramUpdateForwarder.Session old = forwarder.session();
        old.raw().put(7, "{\"update_id\":7,\"message\":{\"chat\":{\"id\":42},\"text\":\"/start\"}}");
        java.util.concurrent.CompletableFuture<Void> batch = java.util.concurrent.CompletableFuture.runAsync(
                () -> old.consume(List.of(carrier(7))));
        org.awaitility.Awaitility.await().until(() -> published.size() >= 2);
        TelegramUpdateForwarder.Session next = forwarder.session();
        next.raw().put(7, "{\"update_id\":7,\"message\":{\"chat\":{\"id\":42},\"text\":\"/start\"}}");

        old.stop();

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> batch.get(5, java.util.concurrent.TimeUnit.SECONDS))
                .hasRootCauseInstanceOf(IllegalStateException.class).hasMessageContaining("unconfirmed");
        assertThat(next.raw()).containsOnlyKeys(7);
    }

    @Test
    void keepsTryingWhateverTheProducerThrows() {
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        Publisher broken = new Publisher(null, Duration.ofSeconds(1)) {
            @Override
            public void publish(Message message, String correlationId) {
                if (calls.incrementAndGet() == 1) {
                    throw new org.apache.kafka.common.config.ConfigException("bootstrap.servers", "nowhere",
                            "no resolvable bootstrap urls");
                }
                published.add(message);
            }
        };
        TelegramUpdateForwarder.Session session = new TelegramUpdateForwarder(broken, Clock.systemUTC()).session();
        session.raw().put(9, "{\"update_id\":9,\"message\":{\"chat\":{\"id\":42},\"text\":\"hi\"}}");

        session.consume(List.of(carrier(9)));

        assertThat(calls).hasValue(2);
        assertThat(published).hasSize(1);
    }

    @Test
    void forwardsTheUpdateAsTelegramSentItKeyedByItsChat() {
        String json = "{\"update_id\":9,\"message\":{\"chat\":{\"id\":42},\"text\":\"hi\",\"new_field\":{\"x\":1}}}";

        assertThat(forwarder.publish(json)).isTrue();

        TelegramUpdateReceived sent = (TelegramUpdateReceived) published.getFirst();
        assertThat(sent.update()).isEqualTo(json);
        assertThat(sent.key()).isEqualTo("42");
    }

    @Test
    void dropsWhatIsNotAnUpdate() {
        assertThat(forwarder.publish("{\"message\":{}}")).isFalse();
        assertThat(forwarder.publish("not json")).isFalse();
        assertThat(published).isEmpty();
    }

    @Test
    void publishesAStubTheBotCanAnswerForAnUpdateLargerThanTelegramSends() {
        assertThat(forwarder.publish("{\"update_id\":1,\"message\":{\"message_id\":5,\"chat\":{\"id\":42,"
                + "\"type\":\"private\"},\"from\":{\"id\":42,\"is_bot\":false},\"text\":\""
                + "x".repeat(Limits.TELEGRAM_UPDATE) + "\"}}")).isTrue();

        TelegramUpdateReceived sent = (TelegramUpdateReceived) published.getFirst();
        assertThat(sent.update()).hasSizeLessThan(300).contains("\"oversized\":true").contains("\"id\":42")
                .doesNotContain("xxxx");
        assertThat(sent.key()).isEqualTo("42");
    }

    @Test
    void keysAnUpdateByItsChatOrElseByThePersonWhoCausedIt() throws Exception {
        ObjectMapper json = new ObjectMapper();
        assertThat(TelegramUpdateForwarder.chatKey(json.readTree(
                "{\"callback_query\":{\"from\":{\"id\":5},\"message\":{\"chat\":{\"id\":6}}}}"))).isEqualTo(6);
        assertThat(TelegramUpdateForwarder.chatKey(json.readTree(
                "{\"pre_checkout_query\":{\"id\":\"q\",\"from\":{\"id\":5}}}"))).isEqualTo(5);
        assertThat(TelegramUpdateForwarder.chatKey(json.readTree("{\"something_new\":{}}"))).isZero();
    }

    private static Update carrier(int id) {
        Update u = new Update();
        u.setUpdateId(id);
        return u;
    }
}
