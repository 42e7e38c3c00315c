package io.kiepipeline.delivery.sending;

import io.kiepipeline.schemas.DeliveryFailureReason;
import java.time.Duration;

/** What one try of one message came to. Decided once, in {@link TelegramSender}; acted on by the scheduler. */
sealed interface SendOutcome {
    /** Telegram took the message. */
    record Sent(long telegramMessageId) implements SendOutcome {
    }

    /**
     * Worth trying again later: a network error, a 5xx, a 429.
     *
     * @param retryAfter Telegram's own {@code retry_after} (429), or null to use the back-off
     */
    record RetryLater(Duration retryAfter, int errorCode, String detail) implements SendOutcome {
    }

    /** Telegram cannot take the media by that URL (400): the link goes as text instead. */
    record MediaRefused(int errorCode, String detail) implements SendOutcome {
    }

    /** Will never succeed for this chat: the delivery ends at once. */
    record Refused(DeliveryFailureReason reason, int errorCode, String detail) implements SendOutcome {
    }
}
