package io.kiepipeline.delivery.sending;

import io.kiepipeline.platform.inbox.Inbox;
import io.kiepipeline.platform.messaging.Envelope;
import io.kiepipeline.platform.outbox.OutboxWriter;
import io.kiepipeline.schemas.ChatId;
import io.kiepipeline.schemas.DeliveryEvent;
import io.kiepipeline.schemas.DeliveryFailureReason;
import io.kiepipeline.schemas.JobEvent;
import io.kiepipeline.schemas.JobEvent.JobFailed;
import io.kiepipeline.schemas.JobEvent.JobRejected;
import io.kiepipeline.schemas.JobEvent.JobSucceeded;
import io.kiepipeline.schemas.JobId;
import io.kiepipeline.schemas.NoticeKind;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Sends each finished job's outcome to its chat, once per event (the inbox dedupes redeliveries), and reports what
 * happened: ResultDelivered, or DeliveryFailed with the reason (403: the user blocked the bot).
 */
@Service
public class Delivery {
    static final String CONSUMER = "delivery-worker";
    private static final Logger log = LoggerFactory.getLogger(Delivery.class);

    private final TelegramSender sender;
    private final Inbox inbox;
    private final OutboxWriter outbox;
    private final Clock clock;

    public Delivery(TelegramSender sender, Inbox inbox, OutboxWriter outbox, Clock clock) {
        this.sender = sender;
        this.inbox = inbox;
        this.outbox = outbox;
        this.clock = clock;
    }

    @Transactional
    public void handle(Envelope envelope) throws InterruptedException {
        JobEvent event = (JobEvent) envelope.message();
        switch (event) {
            case JobSucceeded e -> deliver(envelope, e.jobId(), e.chatId(), NoticeKind.RESULT,
                    () -> sender.sendResult(e));
            case JobFailed e -> deliver(envelope, e.jobId(), e.chatId(), NoticeKind.FAILURE_NOTICE,
                    () -> sender.sendText(e.chatId(), Notices.failed(e)));
            case JobRejected e -> deliver(envelope, e.jobId(), e.chatId(), NoticeKind.REJECTION_NOTICE,
                    () -> sender.sendText(e.chatId(), Notices.rejected(e)));
            case JobEvent.JobCreated e -> {
            }
            case JobEvent.JobSubmitted e -> {
            }
            case JobEvent.JobDelivered e -> {
            }
        }
    }

    @FunctionalInterface
    private interface Send {
        int send() throws TelegramSender.SendFailed, InterruptedException;
    }

    private void deliver(Envelope envelope, JobId jobId, ChatId chatId, NoticeKind kind, Send send)
            throws InterruptedException {
        if (!inbox.firstDelivery(CONSUMER, envelope.eventId())) {
            return;
        }
        String correlation = jobId.toString();
        String causation = envelope.eventId().toString();
        try {
            int messages = send.send();
            outbox.append(new DeliveryEvent.ResultDelivered(jobId, chatId, kind, messages, clock.instant()),
                    correlation, causation);
            log.atInfo().addKeyValue("jobId", jobId).addKeyValue("chatId", chatId).addKeyValue("kind", kind)
                    .addKeyValue("messages", messages).log("delivery.sent");
        } catch (TelegramSender.SendFailed f) {
            DeliveryFailureReason reason = f.reason();
            outbox.append(new DeliveryEvent.DeliveryFailed(jobId, chatId, kind, reason, f.errorCode(), f.getMessage(),
                    clock.instant()), correlation, causation);
            log.atWarn().addKeyValue("jobId", jobId).addKeyValue("chatId", chatId).addKeyValue("kind", kind)
                    .addKeyValue("reason", reason).addKeyValue("telegramErrorCode", f.errorCode())
                    .log("delivery.failed");
        }
    }
}
