package io.kiepipeline.ledger.accounts;

import io.kiepipeline.platform.consuming.BatchTransactions;
import io.kiepipeline.platform.consuming.ContentRefusal;
import io.kiepipeline.platform.messaging.Envelopes;
import io.kiepipeline.schemas.LedgerCommand.DepositRequested;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * Consumes {@code ledger.commands}: one partition per group of users, so one balance is changed by one thread. Each
 * polled batch (at most 100 commands) is applied in one transaction, and again command by command when one of them
 * fails ({@link BatchTransactions}). A user's account stays managed across the batch: its second command in a batch
 * reads no row. The batch's records are taken in the order of their keys (the user ids; a user's commands keep their
 * order). Accounts are guarded by their version, written when the batch commits: two ledger instances meeting one
 * account during a rebalance cost one of them a rollback and a retry, never a wrong balance.
 */
@Component
class LedgerCommandListener {
    private final Ledger ledger;
    private final BatchTransactions batches;

    LedgerCommandListener(Ledger ledger, BatchTransactions batches) {
        this.ledger = ledger;
        this.batches = batches;
    }

    @KafkaListener(id = "ledger-commands", topics = "ledger.commands", batch = "true",
            properties = "max.poll.records=100")
    void on(List<ConsumerRecord<String, String>> records) {
        batches.apply(records, r -> ledger.handle(Envelopes.read(r)), this::alone);
    }

    /** A command on its own: a top-up or a debit whose content the database refuses is refused with an event. */
    private void alone(ConsumerRecord<String, String> record) {
        ContentRefusal.handle(Envelopes.read(record), envelope -> ContentRefusal.handle(envelope, ledger::handle,
                        io.kiepipeline.schemas.LedgerCommand.DebitRequested.class,
                        (e, debit, why) -> ledger.refuseDebit(e, debit)), DepositRequested.class,
                (envelope, deposit, why) -> ledger.refuseDeposit(envelope, deposit));
    }
}
