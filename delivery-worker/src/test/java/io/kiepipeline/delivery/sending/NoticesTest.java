package io.kiepipeline.delivery.sending;

import static org.assertj.core.api.Assertions.assertThat;

import io.kiepipeline.delivery.sending.OutgoingMessage.TelegramMethod;
import io.kiepipeline.schemas.ChatId;
import io.kiepipeline.schemas.JobEvent;
import io.kiepipeline.schemas.JobEvent.JobSucceeded;
import io.kiepipeline.schemas.JobFailureReason;
import io.kiepipeline.schemas.JobRejectionReason;
import io.kiepipeline.schemas.Language;
import io.kiepipeline.schemas.JobId;
import io.kiepipeline.schemas.OutputType;
import io.kiepipeline.schemas.UserId;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** How a result is shown: each file by the method its format takes, albums of at most ten, an honest caption. */
class NoticesTest {
    @Test
    void eachFileGoesByTheMethodItsFormatTakes() {
        assertThat(Notices.methodFor(OutputType.IMAGE, "https://f.test/a.PNG")).isEqualTo(TelegramMethod.SEND_PHOTO);
        assertThat(Notices.methodFor(OutputType.IMAGE, "https://f.test/a.gif?x=1"))
                .isEqualTo(TelegramMethod.SEND_ANIMATION);
        assertThat(Notices.methodFor(OutputType.IMAGE, "https://f.test/a.tiff")).isEqualTo(TelegramMethod.SEND_DOCUMENT);
        assertThat(Notices.methodFor(OutputType.VIDEO, "https://f.test/v")).isEqualTo(TelegramMethod.SEND_VIDEO);
        assertThat(Notices.methodFor(OutputType.VIDEO, "https://f.test/v.webm")).isEqualTo(TelegramMethod.SEND_DOCUMENT);
        assertThat(Notices.methodFor(OutputType.AUDIO, "https://f.test/s.m4a")).isEqualTo(TelegramMethod.SEND_AUDIO);
        assertThat(Notices.methodFor(OutputType.AUDIO, "https://f.test/s.wav")).isEqualTo(TelegramMethod.SEND_DOCUMENT);
    }

    @Test
    void twelveImagesAreAnAlbumOfTenAndOnePhotoLeftOverWithTheGif() {
        List<String> urls = new java.util.ArrayList<>(IntStream.range(0, 11)
                .mapToObj(i -> "https://f.test/" + i + ".png").toList());
        urls.add("https://f.test/moving.gif");

        List<OutgoingMessage> messages = Notices.result(result(urls, 0, null));

        assertThat(messages).extracting(OutgoingMessage::method).containsExactly(TelegramMethod.SEND_MEDIA_GROUP,
                TelegramMethod.SEND_PHOTO, TelegramMethod.SEND_ANIMATION);
        assertThat(messages.getFirst().mediaUrls()).hasSize(10);
        assertThat(messages).allSatisfy(m -> assertThat(m.fallbackText()).contains("https://f.test/moving.gif"));
    }

    @Test
    void theCaptionSaysWhatWasChargedOrThatItWasFreeAndCutsALongPrompt() {
        String paid = Notices.resultCaption(result(List.of("https://f.test/a.png"), 1500, "x".repeat(300)));
        String free = Notices.resultCaption(result(List.of("https://f.test/a.png"), 0, "a fox"));

        assertThat(paid).contains("Charged: ").contains("15.00").contains("x".repeat(200) + "…</i>");
        assertThat(free).contains("<i>a fox</i>").endsWith("Free");
    }

    @Test
    void aRussianSpeakersNoticesAreInRussian() {
        JobSucceeded done = result(List.of("https://f.test/a.png"), 1500, "лиса");
        JobEvent.JobFailed failed = new JobEvent.JobFailed(done.jobId(), done.userId(), done.chatId(), "some/model",
                JobFailureReason.TIMED_OUT, "KIE took 20 min", Instant.now());
        JobEvent.JobRejected rejected = new JobEvent.JobRejected(done.jobId(), done.userId(), done.chatId(),
                "some/model", JobRejectionReason.INSUFFICIENT_FUNDS, "", Instant.now());

        assertThat(Notices.resultCaption(done, Language.RU)).startsWith("✅ Готово: <b>some/model</b>")
                .contains("Списано: ");
        assertThat(Notices.failed(failed, Language.RU)).contains("слишком много времени")
                .endsWith("Ничего не списано: зарезервированная сумма вернулась на баланс.");
        assertThat(Notices.rejected(rejected, Language.RU)).startsWith("⚠️ Не запущено: на балансе недостаточно")
                .endsWith("Ничего не списано.");
        assertThat(Notices.failed(failed, Language.EN)).endsWith("the amount held on your balance was released.");
    }

    private static JobSucceeded result(List<String> urls, long price, String prompt) {
        return new JobSucceeded(new JobId(UUID.randomUUID()), new UserId(1), new ChatId(1), "some/model",
                OutputType.IMAGE, urls, price, "RUB", Instant.now(), prompt);
    }
}
