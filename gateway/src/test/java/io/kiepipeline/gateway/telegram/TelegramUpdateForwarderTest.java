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
        forwarder.raw().put(7, "{\"update_id\":7,\"message\":{\"chat\":{\"id\":42},\"text\":\"/start\"}}");
        forwarder.raw().put(8, "{\"update_id\":8,\"message\":{\"chat\":{\"id\":42},\"text\":\"/help\"}}");

        forwarder.consume(List.of(carrier(7), carrier(8)));

        assertThat(published).extracting(m -> ((TelegramUpdateReceived) m).updateId()).containsExactly(7L, 7L, 7L, 8L);
        assertThat(forwarder.raw()).isEmpty();
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
    void dropsWhatIsNotAnUpdateOrIsLargerThanTelegramSends() {
        assertThat(forwarder.publish("{\"message\":{}}")).isFalse();
        assertThat(forwarder.publish("not json")).isFalse();
        assertThat(forwarder.publish("{\"update_id\":1,\"message\":{\"text\":\"" + "x".repeat(Limits.TELEGRAM_UPDATE)
                + "\"}}")).isFalse();
        assertThat(published).isEmpty();
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
