package io.kiepipeline.gateway.telegram;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.atLeast;
import static org.mockito.Mockito.verify;

import io.kiepipeline.emulators.TelegramEmulator;
import io.kiepipeline.gateway.GatewayApplication;
import io.kiepipeline.gateway.publishing.Publisher;
import io.kiepipeline.schemas.TelegramUpdate.TelegramUpdateReceived;
import io.kiepipeline.schemas.Message;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.bean.override.mockito.MockitoSpyBean;

/**
 * Telegram updates while Kafka does not answer: the gateway never confirms an update Kafka did not take. It keeps
 * trying to publish it and polls nothing new meanwhile, so Telegram keeps the update (and the ones after it) until
 * Kafka is back or another gateway takes over; nothing a user sent is lost, and no reply pretends otherwise.
 */
@SpringBootTest(classes = GatewayApplication.class, properties = {"spring.config.name=gateway",
        "API_TOKEN=api-token-123456", "ADMIN_TOKEN=admin-token-123456", "CALLBACK_SECRET=callback-secret-123456",
        "TELEGRAM_POLLING_ENABLED=true",
        // one gateway, so no election: with Kafka down from the start there would be no poller to elect
        "TELEGRAM_POLLER_ELECTION=false", "TELEGRAM_BOT_TOKEN=" + UpdatesWithKafkaDownTest.TOKEN,
        "TELEGRAM_LONG_POLL_TIMEOUT=1",
        "spring.kafka.admin.auto-create=false", "spring.kafka.producer.properties.max.block.ms=500",
        "pipeline.gateway.publish-timeout=1s", "server.port=0"})
class UpdatesWithKafkaDownTest {
    static final String TOKEN = "7000000003:updates-kafka-down";
    private static final AtomicLong USERS = new AtomicLong(42_000);
    private static TelegramEmulator telegram;

    @DynamicPropertySource
    static void deadKafkaAndATelegram(DynamicPropertyRegistry registry) throws IOException {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        int port = closed;
        registry.add("KAFKA_BOOTSTRAP_SERVERS", () -> "127.0.0.1:" + port);
        telegram = TelegramEmulator.start(0, TOKEN);
        registry.add("TELEGRAM_API_BASE_URL", telegram::baseUrl);
    }

    @AfterAll
    static void stop() {
        telegram.close();
    }

    @MockitoSpyBean
    Publisher publisher;

    @Test
    void neverConfirmsAnUpdateKafkaDidNotTakeAndKeepsTryingToPublishIt() {
        long user = USERS.incrementAndGet();

        int first = telegram.userSays(user, user, "/start");
        int second = telegram.userSays(user, user, "/balance");

        ArgumentCaptor<Message> published = ArgumentCaptor.forClass(Message.class);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            verify(publisher, atLeast(3)).publish(published.capture(), anyString());
            assertThat(published.getAllValues()).filteredOn(m -> m instanceof TelegramUpdateReceived u
                    && u.updateId() == first).hasSizeGreaterThanOrEqualTo(3);
        });
        assertThat(published.getAllValues()).as("the first update is tried again; none after it is polled meanwhile")
                .allSatisfy(m -> assertThat(((TelegramUpdateReceived) m).updateId()).isEqualTo(first));
        assertThat(telegram.unconfirmed(first)).isTrue();
        assertThat(telegram.unconfirmed(second)).isTrue();
        assertThat(telegram.sentTo(user)).as("the gateway answers nothing itself").isEmpty();
    }
}
