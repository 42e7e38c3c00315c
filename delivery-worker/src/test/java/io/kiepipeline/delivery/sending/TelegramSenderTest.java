package io.kiepipeline.delivery.sending;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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

/** The sender against the Telegram emulator over HTTP (the real TelegramBots client, the real envelopes). */
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
                DeliveryWorkerApplication.telegramUrl(telegram.baseUrl())),
                new TelegramSettings(3, Duration.ofMillis(50), Duration.ofSeconds(5)));
    }

    @AfterAll
    static void stop() {
        telegram.close();
        files.close();
    }

    @Test
    void sendsEachOutputTypeWithItsOwnMethod() throws Exception {
        long chat = ++chats;
        sender.sendResult(result(chat, OutputType.IMAGE, files.baseUrl() + "/files/result.png"));
        sender.sendResult(result(chat, OutputType.VIDEO, files.baseUrl() + "/files/result.mp4"));
        sender.sendResult(result(chat, OutputType.AUDIO, files.baseUrl() + "/files/result.mp3"));
        sender.sendResult(result(chat, OutputType.TEXT, files.baseUrl() + "/files/result.png"));

        assertThat(telegram.sentTo(chat)).extracting(TelegramEmulator.Sent::method)
                .containsExactly("sendPhoto", "sendVideo", "sendAudio", "sendMessage");
    }

    @Test
    void sendsTheLinkAsTextWhenTelegramCannotTakeTheMedia() throws Exception {
        long chat = ++chats;
        String dead = files.baseUrl() + "/files/gone.png";

        int sent = sender.sendResult(result(chat, OutputType.IMAGE, dead));

        assertThat(sent).isEqualTo(1);
        assertThat(telegram.sentTo(chat)).singleElement().satisfies(m -> {
            assertThat(m.method()).isEqualTo("sendMessage");
            assertThat(m.text()).contains(dead);
        });
    }

    @Test
    void waitsRetryAfterOn429() throws Exception {
        long chat = ++chats;
        telegram.failNext(chat, Failure.tooManyRequests(1));
        long start = System.nanoTime();

        sender.sendText(new ChatId(chat), "hello");

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(950));
        assertThat(telegram.sentTo(chat)).singleElement().satisfies(m -> assertThat(m.text()).isEqualTo("hello"));
    }

    @Test
    void stopsAtOnceWhenTheUserBlockedTheBot() {
        long chat = ++chats;
        telegram.block(chat);

        assertThatThrownBy(() -> sender.sendText(new ChatId(chat), "hello"))
                .isInstanceOfSatisfying(TelegramSender.SendFailed.class, f -> {
                    assertThat(f.reason()).isEqualTo(DeliveryFailureReason.BOT_BLOCKED);
                    assertThat(f.errorCode()).isEqualTo(403);
                });
    }

    @Test
    void givesUpAfterItsAttemptsOnServerErrors() {
        long chat = ++chats;
        telegram.failNext(chat, Failure.serverError(), Failure.serverError(), Failure.serverError());

        assertThatThrownBy(() -> sender.sendText(new ChatId(chat), "hello"))
                .isInstanceOfSatisfying(TelegramSender.SendFailed.class,
                        f -> assertThat(f.reason()).isEqualTo(DeliveryFailureReason.RETRIES_EXHAUSTED));
        assertThat(telegram.sentTo(chat)).isEmpty();
    }

    private static JobSucceeded result(long chat, OutputType type, String url) {
        return new JobSucceeded(new JobId(UUID.randomUUID()), new UserId(chat), new ChatId(chat), "some/model", type,
                List.of(url), 0, "RUB", Instant.now());
    }
}
