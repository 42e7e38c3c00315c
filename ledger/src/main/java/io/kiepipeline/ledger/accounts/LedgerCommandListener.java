package io.kiepipeline.ledger.accounts;

import io.kiepipeline.platform.consuming.ContentRefusal;
import io.kiepipeline.platform.messaging.Envelopes;
import io.kiepipeline.schemas.LedgerCommand.DepositRequested;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/** Consumes {@code ledger.commands}: one partition per group of users, so one balance is changed by one thread. */
@Component
class LedgerCommandListener {
    private final Ledger ledger;

    LedgerCommandListener(Ledger ledger) {
        this.ledger = ledger;
    }

    @KafkaListener(id = "ledger-commands", topics = "ledger.commands")
    void on(ConsumerRecord<String, String> record) {
        // a top-up or a debit whose content the database refuses would be refused on every try: say so with an event
        ContentRefusal.handle(Envelopes.read(record), envelope -> ContentRefusal.handle(envelope, ledger::handle,
                        io.kiepipeline.schemas.LedgerCommand.DebitRequested.class,
                        (e, debit, why) -> ledger.refuseDebit(e, debit)), DepositRequested.class,
                (envelope, deposit, why) -> ledger.refuseDeposit(envelope, deposit));
    }
}
