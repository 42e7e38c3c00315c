package io.kiepipeline.delivery.sending;

import io.kiepipeline.platform.inbox.Inbox;
import io.kiepipeline.platform.messaging.Envelope;
import io.kiepipeline.schemas.ChatId;
import io.kiepipeline.schemas.JobEvent;
import io.kiepipeline.schemas.JobEvent.JobFailed;
import io.kiepipeline.schemas.JobEvent.JobRejected;
import io.kiepipeline.schemas.JobEvent.JobSucceeded;
import io.kiepipeline.schemas.JobId;
import io.kiepipeline.schemas.Language;
import io.kiepipeline.schemas.NoticeKind;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * The consumer's side: records what each finished job's chat must be sent, once per event (the inbox) and once per
 * job notice (the delivery's unique key), and returns at once. It never calls Telegram and never waits: the
 * {@link DeliveryScheduler} sends, retries and reports ResultDelivered or DeliveryFailed.
 */
@Service
public class Delivery {
    static final String CONSUMER = "delivery-worker";
    private static final Logger log = LoggerFactory.getLogger(Delivery.class);

    private final DeliveryStore store;
    private final DeliveryScheduler scheduler;
    private final Inbox inbox;
    private final Clock clock;
    private final JobLanguages languages;
    private final JobProgress progress;
    private final JobCharges charges;
    private final Duration captureWait;

    Delivery(DeliveryStore store, DeliveryScheduler scheduler, Inbox inbox, Clock clock, JobLanguages languages,
             JobProgress progress, JobCharges charges,
             io.kiepipeline.delivery.DeliverySettings settings) {
        this.charges = charges;
        this.captureWait = settings.captureWait();
        this.languages = languages;
        this.progress = progress;
        this.store = store;
        this.scheduler = scheduler;
        this.inbox = inbox;
        this.clock = clock;
    }

    @Transactional
    public void handle(Envelope envelope) {
        JobEvent event = (JobEvent) envelope.message();
        Instant now = clock.instant();
        switch (event) {
            case JobSucceeded e -> {
                Language language = languages.of(e.jobId());
                List<OutgoingMessage> messages = Notices.result(e, language);
                Instant due = now;
                if (e.priceMinor() > 0) {
                    // the caption ends with the balance after the charge: known if the capture came first, else the
                    // result waits a little for it (the capture updates it then); a ledger that is late does not
                    // hold the result longer than captureWait
                    charges.lock(e.jobId());
                    java.util.Optional<JobCharges.Charge> charge = charges.of(e.jobId());
                    if (charge.isPresent()) {
                        JobCharges.Charge c = charge.get();
                        messages = messages.stream().map(m -> m.withLine(
                                Notices.balanceLineHtml(c.availableMinor(), c.currency(), language),
                                Notices.balanceLinePlain(c.chargedMinor(), c.availableMinor(), c.currency(),
                                        language))).toList();
                    } else {
                        due = now.plus(captureWait);
                    }
                }
                record(envelope, e.jobId(), e.chatId(), NoticeKind.RESULT, messages, due);
                // a paid job's last word is its charge with the balance after (the ledger's capture), which may
                // have come first: then "done" alone would overwrite it
                if (e.priceMinor() == 0 || !progress.charged(e.jobId())) {
                    progress.show(e.jobId(), JobProgress.Step.DONE, languages.of(e.jobId()), now);
                }
            }
            case JobFailed e -> {
                record(envelope, e.jobId(), e.chatId(), NoticeKind.FAILURE_NOTICE,
                        List.of(OutgoingMessage.text(Notices.failed(e, languages.of(e.jobId())))), now);
                progress.show(e.jobId(), JobProgress.Step.NOT_DONE, languages.of(e.jobId()), now);
            }
            case JobRejected e -> {
                Language language = e.language() != null ? e.language() : languages.of(e.jobId());
                record(envelope, e.jobId(), e.chatId(), NoticeKind.REJECTION_NOTICE,
                        List.of(OutgoingMessage.text(Notices.rejected(e, language))), now);
                progress.show(e.jobId(), JobProgress.Step.NOT_DONE, language, now);
            }
            // the job's language and progress message, for its later notices (they follow on the job's partition)
            case JobEvent.JobCreated e -> {
                languages.remember(e.jobId(), e.language(), now);
                progress.remember(e, now);
            }
            case JobEvent.JobSubmitted e -> progress.show(e.jobId(), JobProgress.Step.RUNNING,
                    languages.of(e.jobId()), now);
            case JobEvent.JobDelivered e -> {
            }
            case JobEvent.JobLateResult e -> record(envelope, e.jobId(), e.chatId(), NoticeKind.RESULT,
                    Notices.lateResult(e, languages.of(e.jobId())), now);
        }
    }

    /**
     * The ledger captured a job's hold: its progress message says what was charged and the balance after, and so
     * does its result's caption if the result is not sent yet (it may be waiting for this).
     */
    @Transactional
    public void charged(Envelope envelope) {
        if (!inbox.firstDelivery(CONSUMER, envelope.eventId())) {
            return;
        }
        io.kiepipeline.schemas.LedgerEvent.HoldCaptured c =
                (io.kiepipeline.schemas.LedgerEvent.HoldCaptured) envelope.message();
        Instant now = clock.instant();
        Language language = languages.of(c.jobId());
        charges.lock(c.jobId());
        if (!charges.remember(c, now)) {
            log.atInfo().addKeyValue("jobId", c.jobId()).log("charge.already-shown; the capture was announced again");
            return;
        }
        progress.showCharged(c.jobId(), c.amountMinor(), c.availableMinor(), c.currency(), language, now);
        int shown = store.showCharge(c.jobId(), Notices.balanceLineHtml(c.availableMinor(), c.currency(), language),
                Notices.balanceLinePlain(c.amountMinor(), c.availableMinor(), c.currency(), language), now);
        if (shown > 0) {
            wakeUpAfterCommit();
        }
    }

    private void record(Envelope envelope, JobId jobId, ChatId chatId, NoticeKind kind,
                        List<OutgoingMessage> messages, Instant due) {
        if (!inbox.firstDelivery(CONSUMER, envelope.eventId())) {
            return;
        }
        if (!store.record(jobId, kind, chatId, messages, envelope.eventId().toString(), clock.instant(), due)) {
            log.atInfo().addKeyValue("jobId", jobId).addKeyValue("kind", kind)
                    .log("delivery.already-recorded; ignoring the repeated notice");
            return;
        }
        log.atInfo().addKeyValue("jobId", jobId).addKeyValue("chatId", chatId).addKeyValue("kind", kind)
                .addKeyValue("messages", messages.size()).log("delivery.recorded");
        wakeUpAfterCommit();
    }

    private void wakeUpAfterCommit() {
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCommit() {
                scheduler.wakeUp();
            }
        });
    }
}
