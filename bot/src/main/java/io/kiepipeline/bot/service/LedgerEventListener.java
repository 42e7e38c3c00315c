package io.kiepipeline.bot.service;

import io.kiepipeline.platform.inbox.Inbox;
import io.kiepipeline.platform.messaging.Envelope;
import io.kiepipeline.platform.messaging.Envelopes;
import io.kiepipeline.platform.outbox.OutboxWriter;
import io.kiepipeline.schemas.ChatCommand;
import io.kiepipeline.schemas.LedgerEvent;
import java.time.Clock;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The ledger's answers the bot waits for: the deposits of Telegram payments (the user hears what was credited and the
 * balance), an admin's debits and the reversals of refunded payments (see {@link AdminReports}).
 */
@Component
class LedgerEventListener {
    static final String CONSUMER = "bot-ledger-events";

    private final AdminReports reports;
    private final Inbox inbox;
    private final OutboxWriter outbox;
    private final TransactionTemplate tx;
    private final Clock clock;

    LedgerEventListener(AdminReports reports, Inbox inbox, OutboxWriter outbox, PlatformTransactionManager txManager,
                        Clock clock) {
        this.reports = reports;
        this.inbox = inbox;
        this.outbox = outbox;
        this.tx = new TransactionTemplate(txManager);
        this.clock = clock;
    }

    @KafkaListener(id = CONSUMER, topics = "ledger.events")
    void on(ConsumerRecord<String, String> record) {
        Envelope envelope = Envelopes.read(record);
        LedgerEvent event = (LedgerEvent) envelope.message();
        if (event instanceof LedgerEvent.HoldPlaced || event instanceof LedgerEvent.HoldRejected
                || event instanceof LedgerEvent.HoldCaptured || event instanceof LedgerEvent.HoldReleased
                || event instanceof LedgerEvent.HoldCommandRefused) {
            return; // the orchestrator's business: not even an inbox row
        }
        tx.executeWithoutResult(status -> {
            if (!inbox.firstDelivery(CONSUMER, envelope.eventId())) {
                return;
            }
            for (ChatCommand c : reports.answer(event, clock.instant())) {
                outbox.append(c, envelope.correlationId(), envelope.eventId().value().toString());
            }
        });
    }
}
