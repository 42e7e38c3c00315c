package io.kiepipeline.schemas;

import java.time.Instant;

/** Topic {@code delivery-worker.events}, keyed by job id. */
public sealed interface DeliveryEvent extends Message {
    JobId jobId();

    @Override
    default String key() {
        return jobId().toString();
    }

    /** What the job's chat was sent: its result, or a notice that it failed or was rejected. */
    record ResultDelivered(JobId jobId, ChatId chatId, NoticeKind kind, int messagesSent, Instant deliveredAt)
            implements DeliveryEvent {
    }

    record DeliveryFailed(JobId jobId, ChatId chatId, NoticeKind kind, DeliveryFailureReason reason,
                          int telegramErrorCode, String detail, Instant failedAt) implements DeliveryEvent {
    }
}
