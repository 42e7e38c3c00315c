package io.kiepipeline.delivery.sending;

import io.kiepipeline.schemas.ChatId;
import io.kiepipeline.schemas.DeliveryFailureReason;
import io.kiepipeline.schemas.JobEvent.JobSucceeded;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.telegram.telegrambots.meta.api.methods.botapimethods.PartialBotApiMethod;
import org.telegram.telegrambots.meta.api.methods.send.SendAudio;
import org.telegram.telegrambots.meta.api.methods.send.SendMessage;
import org.telegram.telegrambots.meta.api.methods.send.SendPhoto;
import org.telegram.telegrambots.meta.api.methods.send.SendVideo;
import org.telegram.telegrambots.meta.api.objects.InputFile;
import org.telegram.telegrambots.meta.exceptions.TelegramApiException;
import org.telegram.telegrambots.meta.exceptions.TelegramApiRequestException;
import org.telegram.telegrambots.meta.generics.TelegramClient;

/**
 * Talks to the Bot API. Media goes by URL ({@code sendPhoto} / {@code sendVideo} / {@code sendAudio} by the model's
 * output type); when Telegram cannot take the media (400), the link goes as text instead. 429 waits
 * {@code retry_after}; network errors and 5xx back off and retry; 403 (bot blocked) and a missing chat are final.
 */
@Component
public class TelegramSender {
    private static final Logger log = LoggerFactory.getLogger(TelegramSender.class);

    private final TelegramClient telegram;
    private final TelegramSettings settings;

    public TelegramSender(TelegramClient telegram, TelegramSettings settings) {
        this.telegram = telegram;
        this.settings = settings;
    }

    /** Sends the result; returns how many messages went out. */
    int sendResult(JobSucceeded e) throws SendFailed, InterruptedException {
        int sent = 0;
        String chat = Long.toString(e.chatId().value());
        for (String url : e.resultUrls()) {
            PartialBotApiMethod<?> media = switch (e.outputType()) {
                case IMAGE -> SendPhoto.builder().chatId(chat).photo(new InputFile(url))
                        .caption(Notices.resultCaption(e)).build();
                case VIDEO -> SendVideo.builder().chatId(chat).video(new InputFile(url))
                        .caption(Notices.resultCaption(e)).build();
                case AUDIO -> SendAudio.builder().chatId(chat).audio(new InputFile(url))
                        .caption(Notices.resultCaption(e)).build();
                case TEXT -> null;
            };
            if (media == null) {
                break;
            }
            try {
                execute(media);
                sent++;
            } catch (SendFailed f) {
                if (f.reason() != DeliveryFailureReason.REJECTED_BY_TELEGRAM) {
                    throw f;
                }
                log.atInfo().addKeyValue("jobId", e.jobId()).addKeyValue("chatId", e.chatId())
                        .addKeyValue("telegramErrorCode", f.errorCode())
                        .log("delivery.media-refused; sending the link as text");
                return sent + sendText(e.chatId(), Notices.resultAsLink(e));
            }
        }
        return sent > 0 ? sent : sendText(e.chatId(), Notices.resultAsLink(e));
    }

    int sendText(ChatId chatId, String text) throws SendFailed, InterruptedException {
        execute(SendMessage.builder().chatId(Long.toString(chatId.value())).text(text).build());
        return 1;
    }

    private void execute(PartialBotApiMethod<?> method) throws SendFailed, InterruptedException {
        Duration pause = settings.retryInitial();
        for (int attempt = 1; ; attempt++) {
            try {
                switch (method) {
                    case SendPhoto m -> telegram.execute(m);
                    case SendVideo m -> telegram.execute(m);
                    case SendAudio m -> telegram.execute(m);
                    case SendMessage m -> telegram.execute(m);
                    default -> throw new IllegalArgumentException("not sent here: " + method.getMethod());
                }
                return;
            } catch (TelegramApiRequestException e) {
                int code = e.getErrorCode() == null ? 0 : e.getErrorCode();
                String description = e.getApiResponse() == null ? String.valueOf(e.getMessage()) : e.getApiResponse();
                if (code == 403) {
                    throw new SendFailed(DeliveryFailureReason.BOT_BLOCKED, code, description);
                }
                if (code == 400 && description.toLowerCase().contains("chat not found")) {
                    throw new SendFailed(DeliveryFailureReason.CHAT_NOT_FOUND, code, description);
                }
                if (code == 429) {
                    Integer retryAfter = e.getParameters() == null ? null : e.getParameters().getRetryAfter();
                    Duration wait = Duration.ofSeconds(retryAfter == null ? 1 : retryAfter);
                    if (wait.compareTo(settings.maxRetryAfter()) > 0 || attempt >= settings.attempts()) {
                        throw new SendFailed(DeliveryFailureReason.RETRIES_EXHAUSTED, code, description);
                    }
                    log.atWarn().addKeyValue("method", method.getMethod()).addKeyValue("retryAfterSeconds",
                            wait.toSeconds()).log("telegram.rate-limited; waiting retry_after");
                    Thread.sleep(wait.toMillis());
                    continue;
                }
                if (code >= 400 && code < 500) {
                    throw new SendFailed(DeliveryFailureReason.REJECTED_BY_TELEGRAM, code, description);
                }
                pause = backOff(method, attempt, pause, code, description);
            } catch (TelegramApiException e) {
                pause = backOff(method, attempt, pause, 0, String.valueOf(e.getMessage()));
            }
        }
    }

    private Duration backOff(PartialBotApiMethod<?> method, int attempt, Duration pause, int code, String why)
            throws SendFailed, InterruptedException {
        if (attempt >= settings.attempts()) {
            throw new SendFailed(DeliveryFailureReason.RETRIES_EXHAUSTED, code, why);
        }
        log.atWarn().addKeyValue("method", method.getMethod()).addKeyValue("telegramErrorCode", code)
                .addKeyValue("attempt", attempt).log("telegram.send-failed; retrying");
        Thread.sleep(pause.toMillis());
        return pause.multipliedBy(2);
    }

    /** A send that will not succeed by retrying. */
    public static final class SendFailed extends Exception {
        private final DeliveryFailureReason reason;
        private final int errorCode;

        SendFailed(DeliveryFailureReason reason, int errorCode, String message) {
            super(message);
            this.reason = reason;
            this.errorCode = errorCode;
        }

        public DeliveryFailureReason reason() {
            return reason;
        }

        public int errorCode() {
            return errorCode;
        }
    }
}
