package io.kiepipeline.delivery.sending;

import static org.assertj.core.api.Assertions.assertThat;

import io.kiepipeline.delivery.DeliveryWorkerApplication;
import io.kiepipeline.emulators.KieEmulator;
import io.kiepipeline.emulators.TelegramEmulator;
import io.kiepipeline.emulators.TelegramEmulator.Failure;
import io.kiepipeline.schemas.ChatId;
import io.kiepipeline.schemas.DeliveryFailureReason;
import io.kiepipeline.schemas.JobEvent.JobSucceeded;
import io.kiepipeline.schemas.JobId;
import io.kiepipeline.schemas.OutputType;
import io.kiepipeline.schemas.UserId;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.telegram.telegrambots.client.okhttp.OkHttpTelegramClient;

/**
 * The sender against the Telegram emulator over HTTP (the real TelegramBots client, the real envelopes): one call per
 * send, and each answer classified once (sent, retry later, media refused, refused for good). It never waits.
 */
class TelegramSenderTest {
    private static final String TOKEN = "123456:sender-test-token";
    private static TelegramEmulator telegram;
    private static KieEmulator files;
    private static TelegramSender sender;
    private static long chats = 9_000;

    @BeforeAll
    static void start() throws Exception {
        telegram = TelegramEmulator.start(0, TOKEN);
        files = KieEmulator.start(0, "key", 0);
        sender = new TelegramSender(new OkHttpTelegramClient(TOKEN,
                DeliveryWorkerApplication.telegramUrl(telegram.baseUrl())));
    }

    @AfterAll
    static void stop() {
        telegram.close();
        files.close();
    }

    @Test
    void sendsEachOutputTypeWithItsOwnMethod() {
        long chat = ++chats;
        for (OutputType type : List.of(OutputType.IMAGE, OutputType.VIDEO, OutputType.AUDIO, OutputType.TEXT)) {
            String file = switch (type) {
                case IMAGE, TEXT -> "result.png";
                case VIDEO -> "result.mp4";
                case AUDIO -> "result.mp3";
            };
            for (OutgoingMessage m : Notices.result(result(chat, type, files.baseUrl() + "/files/" + file))) {
                assertThat(sender.send(new ChatId(chat), m)).isInstanceOf(SendOutcome.Sent.class);
            }
        }

        assertThat(telegram.sentTo(chat)).extracting(TelegramEmulator.Sent::method)
                .containsExactly("sendPhoto", "sendVideo", "sendAudio", "sendMessage");
    }

    @Test
    void reportsMediaTelegramCannotTakeSoThatTheLinkGoesAsText() {
        long chat = ++chats;
        String dead = files.baseUrl() + "/files/gone.png";
        OutgoingMessage photo = Notices.result(result(chat, OutputType.IMAGE, dead)).getFirst();

        SendOutcome outcome = sender.send(new ChatId(chat), photo);

        assertThat(outcome).isInstanceOfSatisfying(SendOutcome.MediaRefused.class,
                r -> assertThat(r.errorCode()).isEqualTo(400));
        assertThat(sender.send(new ChatId(chat), photo.asFallbackText())).isInstanceOf(SendOutcome.Sent.class);
        assertThat(telegram.sentTo(chat)).singleElement().satisfies(m -> {
            assertThat(m.method()).isEqualTo("sendMessage");
            assertThat(m.text()).contains(dead);
        });
    }

    @Test
    void reportsRetryAfterOn429WithoutWaitingForIt() {
        long chat = ++chats;
        telegram.failNext(chat, Failure.tooManyRequests(30));
        long start = System.nanoTime();

        SendOutcome outcome = sender.send(new ChatId(chat), OutgoingMessage.text("hello"));

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        assertThat(outcome).isInstanceOfSatisfying(SendOutcome.RetryLater.class, r -> {
            assertThat(r.retryAfter()).isEqualTo(Duration.ofSeconds(30));
            assertThat(r.errorCode()).isEqualTo(429);
        });
        assertThat(telegram.sentTo(chat)).isEmpty();
    }

    @Test
    void reportsServerErrorsAndOutagesAsWorthRetrying() {
        long chat = ++chats;
        telegram.failNext(chat, Failure.serverError());

        assertThat(sender.send(new ChatId(chat), OutgoingMessage.text("hello")))
                .isInstanceOfSatisfying(SendOutcome.RetryLater.class, r -> {
                    assertThat(r.retryAfter()).isNull();
                    assertThat(r.errorCode()).isEqualTo(500);
                });
        assertThat(telegram.sentTo(chat)).isEmpty();
    }

    @Test
    void stopsAtOnceWhenTheUserBlockedTheBot() {
        long chat = ++chats;
        telegram.block(chat);

        assertThat(sender.send(new ChatId(chat), OutgoingMessage.text("hello")))
                .isInstanceOfSatisfying(SendOutcome.Refused.class, r -> {
                    assertThat(r.reason()).isEqualTo(DeliveryFailureReason.BOT_BLOCKED);
                    assertThat(r.errorCode()).isEqualTo(403);
                });
        assertThat(telegram.sendCallsTo(chat)).isEqualTo(1);
    }

    private static JobSucceeded result(long chat, OutputType type, String url) {
        return new JobSucceeded(new JobId(UUID.randomUUID()), new UserId(chat), new ChatId(chat), "some/model", type,
                List.of(url), 0, "RUB", Instant.now());
    }
}
