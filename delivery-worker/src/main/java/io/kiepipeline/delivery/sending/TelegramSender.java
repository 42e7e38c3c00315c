package io.kiepipeline.delivery.sending;

import io.kiepipeline.schemas.ChatId;
import io.kiepipeline.schemas.DeliveryFailureReason;
import java.time.Duration;
import java.util.Locale;
import org.springframework.stereotype.Component;
import org.telegram.telegrambots.meta.api.methods.send.SendAudio;
import org.telegram.telegrambots.meta.api.methods.send.SendMessage;
import org.telegram.telegrambots.meta.api.methods.send.SendPhoto;
import org.telegram.telegrambots.meta.api.methods.send.SendVideo;
import org.telegram.telegrambots.meta.api.objects.InputFile;
import org.telegram.telegrambots.meta.api.objects.message.Message;
import org.telegram.telegrambots.meta.exceptions.TelegramApiException;
import org.telegram.telegrambots.meta.exceptions.TelegramApiRequestException;
import org.telegram.telegrambots.meta.generics.TelegramClient;

/**
 * Talks to the Bot API: one call per {@link #send}, never a retry and never a wait here. It only classifies the
 * answer, once: 403 (bot blocked) and "chat not found" are final; a 400 on media means the link should go as text;
 * 429, 5xx, 401 and network errors are worth trying later (429 with Telegram's {@code retry_after}). Retrying is
 * the scheduler's job, as a due time on the message's row.
 */
@Component
public class TelegramSender {
    private final TelegramClient telegram;

    public TelegramSender(TelegramClient telegram) {
        this.telegram = telegram;
    }

    /** Sends one message, once. Must not be called inside a database transaction. */
    SendOutcome send(ChatId chatId, OutgoingMessage m) {
        String chat = Long.toString(chatId.value());
        try {
            Message sent = switch (m.method()) {
                case SEND_MESSAGE -> telegram.execute(SendMessage.builder().chatId(chat).text(m.text()).build());
                case SEND_PHOTO -> telegram.execute(SendPhoto.builder().chatId(chat)
                        .photo(new InputFile(m.mediaUrl())).caption(m.text()).build());
                case SEND_VIDEO -> telegram.execute(SendVideo.builder().chatId(chat)
                        .video(new InputFile(m.mediaUrl())).caption(m.text()).build());
                case SEND_AUDIO -> telegram.execute(SendAudio.builder().chatId(chat)
                        .audio(new InputFile(m.mediaUrl())).caption(m.text()).build());
            };
            return new SendOutcome.Sent(sent == null || sent.getMessageId() == null ? 0 : sent.getMessageId());
        } catch (TelegramApiRequestException e) {
            return classify(m, e);
        } catch (TelegramApiException e) {
            // no answer (connection refused, timeout, an unreadable body such as a proxy's HTML 502): try later
            return new SendOutcome.RetryLater(null, 0, String.valueOf(e.getMessage()));
        }
    }

    private static SendOutcome classify(OutgoingMessage m, TelegramApiRequestException e) {
        int code = e.getErrorCode() == null ? 0 : e.getErrorCode();
        String description = e.getApiResponse() == null ? String.valueOf(e.getMessage()) : e.getApiResponse();
        if (code == 403) {
            return new SendOutcome.Refused(DeliveryFailureReason.BOT_BLOCKED, code, description);
        }
        if (code == 400 && description.toLowerCase(Locale.ROOT).contains("chat not found")) {
            return new SendOutcome.Refused(DeliveryFailureReason.CHAT_NOT_FOUND, code, description);
        }
        if (code == 429) {
            Integer retryAfter = e.getParameters() == null ? null : e.getParameters().getRetryAfter();
            return new SendOutcome.RetryLater(Duration.ofSeconds(retryAfter == null ? 1 : Math.max(retryAfter, 0)),
                    code, description);
        }
        if (code == 401) {
            // our token is wrong or revoked: no chat's fault, and fixed by an operator; keep the delivery
            return new SendOutcome.RetryLater(null, code, description);
        }
        if (code >= 400 && code < 500) {
            return m.method().isMedia() ? new SendOutcome.MediaRefused(code, description)
                    : new SendOutcome.Refused(DeliveryFailureReason.REJECTED_BY_TELEGRAM, code, description);
        }
        return new SendOutcome.RetryLater(null, code, description);
    }
}
