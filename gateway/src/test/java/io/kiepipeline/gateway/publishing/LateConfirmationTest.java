package io.kiepipeline.gateway.publishing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.kiepipeline.emulators.TelegramEmulator;
import io.kiepipeline.gateway.telegram.TelegramBot;
import io.kiepipeline.schemas.GatewayEvent.GenerationRequested;
import io.kiepipeline.schemas.Ids;
import io.kiepipeline.schemas.JobId;
import io.kiepipeline.schemas.Message;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.telegram.telegrambots.client.okhttp.OkHttpTelegramClient;
import org.telegram.telegrambots.meta.TelegramUrl;
import org.telegram.telegrambots.meta.api.objects.Update;

/**
 * Kafka acks a {@code /generate} only on a later try: the user, told at first that the request is not confirmed
 * (and not to resend it), is told it is confirmed; every try published the one job.
 */
class LateConfirmationTest {
    private static final String TOKEN = "7000000004:late-confirmation";
    private static final long BOT_ID = 7000000004L;
    private static TelegramEmulator telegram;

    @BeforeAll
    static void start() throws Exception {
        telegram = TelegramEmulator.start(0, TOKEN);
    }

    @AfterAll
    static void stop() {
        telegram.close();
    }

    @Test
    void tellsTheUserOnceKafkaConfirmsTheRequestOnALaterTry() throws Exception {
        long user = 4242;
        List<Message> published = new CopyOnWriteArrayList<>();
        AtomicInteger refusals = new AtomicInteger(2);
        Publisher kafkaBackAfterTwoTries = new Publisher(null, Duration.ofSeconds(1)) {
            @Override
            public void publish(Message message, String correlationId) {
                published.add(message);
                if (refusals.getAndDecrement() > 0) {
                    throw new Unavailable("Kafka did not take the message", new RuntimeException("timeout"));
                }
            }
        };
        URI uri = URI.create(telegram.baseUrl());
        TelegramBot bot = new TelegramBot(new OkHttpTelegramClient(TOKEN,
                new TelegramUrl(uri.getScheme(), uri.getHost(), uri.getPort(), false)), kafkaBackAfterTwoTries, null,
                Clock.systemUTC(), BOT_ID, Duration.ofSeconds(30), Duration.ofMillis(100));

        bot.consume(update(77, user, "/generate google/nano-banana a fox confirmed late"));

        JobId job = Ids.jobIdForTelegramUpdate(BOT_ID, 77);
        await().atMost(Duration.ofSeconds(10)).until(() -> telegram.sentTo(user).size() == 2);
        List<String> replies = telegram.sentTo(user).stream().map(TelegramEmulator.Sent::text).toList();
        assertThat(replies.get(0)).contains("could not confirm your request yet").contains("don't resend");
        assertThat(replies.get(1)).startsWith("⏳ Your request is confirmed now (job " + job.toString().substring(0, 8));
        assertThat(published).hasSize(3)
                .allSatisfy(m -> assertThat(((GenerationRequested) m).jobId()).isEqualTo(job));
    }

    private static Update update(int updateId, long user, String text) throws Exception {
        String json = """
                {"update_id": %d, "message": {"message_id": 1, "date": 1700000000, "text": "%s",
                  "from": {"id": %d, "is_bot": false, "first_name": "U"},
                  "chat": {"id": %d, "type": "private"}}}""".formatted(updateId, text, user, user);
        return new ObjectMapper().readValue(json, Update.class);
    }
}
