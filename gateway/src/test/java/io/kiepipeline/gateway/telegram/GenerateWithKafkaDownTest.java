package io.kiepipeline.gateway.telegram;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.atLeast;
import static org.mockito.Mockito.verify;

import io.kiepipeline.emulators.TelegramEmulator;
import io.kiepipeline.gateway.GatewayApplication;
import io.kiepipeline.gateway.publishing.Publisher;
import io.kiepipeline.schemas.GatewayEvent.GenerationRequested;
import io.kiepipeline.schemas.Ids;
import io.kiepipeline.schemas.JobId;
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
 * {@code /generate} in the chat while Kafka does not answer: the request may or may not have been written, so the
 * bot never asks for a resend (a second tap is a second job and a second hold). It keeps publishing the same record
 * (the job id derived from the update) and says so; a redelivered update stands for the same job.
 */
@SpringBootTest(classes = GatewayApplication.class, properties = {"spring.config.name=gateway",
        "API_TOKEN=api-token-123456", "ADMIN_TOKEN=admin-token-123456", "CALLBACK_SECRET=callback-secret-123456",
        "TELEGRAM_POLLING_ENABLED=true",
        // one gateway, so no election: with Kafka down from the start there would be no poller to elect
        "TELEGRAM_POLLER_ELECTION=false", "TELEGRAM_BOT_TOKEN=" + GenerateWithKafkaDownTest.TOKEN,
        "TELEGRAM_LONG_POLL_TIMEOUT=1", "TELEGRAM_PUBLISH_RETRY_WINDOW=3s", "pipeline.telegram.publish-retry-pause=500ms",
        "spring.kafka.admin.auto-create=false", "spring.kafka.producer.properties.max.block.ms=1000",
        "pipeline.gateway.publish-timeout=2s", "server.port=0"})
class GenerateWithKafkaDownTest {
    static final String TOKEN = "7000000003:generate-kafka-down";
    private static final long BOT_ID = 7000000003L;
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
    @Autowired
    TelegramPolling polling;

    @Test
    void neverAsksToResendAGenerationKafkaDidNotConfirm() {
        long user = USERS.incrementAndGet();

        int updateId = telegram.userSays(user, user, "/generate google/nano-banana a fox while Kafka is down");

        String job = shortId(Ids.jobIdForTelegramUpdate(BOT_ID, updateId));
        List<String> replies = awaitReplies(user, 2);
        assertThat(replies.getFirst()).contains("could not confirm your request yet (job " + job + ")")
                .contains("don't resend");
        assertThat(replies.get(1)).startsWith("⚠️ I still could not confirm your request (job " + job + ")")
                .contains("/balance");
        assertThat(replies).allSatisfy(text -> assertThat(text)
                .doesNotContainIgnoringCase("send the command again")
                .doesNotContainIgnoringCase("try again")
                .doesNotContainIgnoringCase("please send"));
    }

    @Test
    void keepsPublishingTheSameJobAndARedeliveredUpdateStandsForIt() {
        long user = USERS.incrementAndGet();
        int updateId = telegram.userSays(user, user, "/generate google/nano-banana a fox asked once");
        JobId job = Ids.jobIdForTelegramUpdate(BOT_ID, updateId);
        awaitReplies(user, 1);

        // the gateway restarts before confirming the update, so Telegram sends it again
        polling.stop();
        await().atMost(Duration.ofSeconds(10)).until(() -> telegram.getUpdatesInFlight() == 0);
        telegram.redeliver(updateId);
        polling.start();

        List<String> replies = awaitReplies(user, 4);
        assertThat(replies).filteredOn(text -> text.contains("could not confirm your request yet"))
                .hasSize(2).allSatisfy(text -> assertThat(text).contains("(job " + shortId(job) + ")"));
        ArgumentCaptor<Message> published = ArgumentCaptor.forClass(Message.class);
        verify(publisher, atLeast(4)).publish(published.capture(), anyString());
        assertThat(published.getAllValues()).filteredOn(m -> m instanceof GenerationRequested g
                        && g.userId().value() == user)
                .as("every try, in the background and for the redelivered update, is the same job")
                .hasSizeGreaterThanOrEqualTo(4)
                .allSatisfy(m -> assertThat(((GenerationRequested) m).jobId()).isEqualTo(job));
    }

    private List<String> awaitReplies(long chat, int count) {
        await().atMost(Duration.ofSeconds(30)).until(() -> telegram.sentTo(chat).size() >= count);
        return telegram.sentTo(chat).stream().map(TelegramEmulator.Sent::text).toList();
    }

    private static String shortId(JobId job) {
        return job.toString().substring(0, 8);
    }
}
