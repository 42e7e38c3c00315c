package io.kiepipeline.platform.consuming;

import java.util.List;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.kafka.listener.BatchListenerFailedException;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Applies a polled batch of records in one database transaction, so that one durable commit serves them all instead
 * of one commit (and one wait for the disk) per record. Each record is still deduplicated by the inbox, inside that
 * transaction (a copy later in the same batch sees the first one's row).
 *
 * <p>When any record of the batch fails, the whole transaction rolls back and the batch is applied again one record
 * at a time, each in its own transaction, exactly as a record listener would: the records before a failing one
 * commit, and the failing one goes to the error handler (retries with the container paused, the dead-letter topic)
 * as a {@link BatchListenerFailedException} naming its index, so its offset and the ones after it are polled again.
 * Nothing a rolled-back batch did stays: metrics and relay wake-ups run after a commit only.
 */
public final class BatchTransactions {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(BatchTransactions.class);
    private final TransactionTemplate tx;

    public BatchTransactions(PlatformTransactionManager transactions) {
        this.tx = new TransactionTemplate(transactions);
    }

    /**
     * @param inBatch what a record does inside the batch's transaction (the handler joins it)
     * @param alone   what a record does on its own after a failed batch (its own transaction, and the answers a
     *                record listener gives to content its database refuses)
     */
    public void apply(List<ConsumerRecord<String, String>> records, Consumer<ConsumerRecord<String, String>> inBatch,
                      Consumer<ConsumerRecord<String, String>> alone) {
        if (records.size() > 1) {
            try {
                tx.executeWithoutResult(status -> records.forEach(inBatch));
                return;
            } catch (RuntimeException e) {
                // one of them failed: nothing of the batch was kept; each one again on its own, in order
                log.atDebug().addKeyValue("records", records.size()).addKeyValue("topic", records.getFirst().topic())
                        .addKeyValue("reason", e.getClass().getSimpleName()).log("batch.rolled-back; one by one");
            }
        }
        for (int i = 0; i < records.size(); i++) {
            try {
                alone.accept(records.get(i));
            } catch (RuntimeException e) {
                throw new BatchListenerFailedException(e.getClass().getSimpleName() + ": " + e.getMessage(), e, i);
            }
        }
    }
}
