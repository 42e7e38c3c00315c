package io.kiepipeline.platform.consuming;

import io.kiepipeline.platform.messaging.RetryAfter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.core.Ordered;
import org.springframework.kafka.listener.BatchListenerFailedException;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Applies a polled batch of records in one database transaction, so that one durable commit serves them all instead
 * of one commit (and one wait for the disk) per record. Each record is still deduplicated by the inbox, inside that
 * transaction (a copy later in the same batch sees the first one's row). Inside the batch the records are taken in the
 * order of the rows they lock (their keys, unless the consumer names another order; records with the same lock key
 * keep their order), so that two batches, of two topics or two instances, lock the same rows in the same order.
 *
 * <p>When any record of the batch fails, the whole transaction rolls back and the batch is applied again one record
 * at a time, in poll order, each in its own transaction, exactly as a record listener would: the records before a
 * failing one commit, and the failing one goes to the error handler (retries with the container paused, the
 * dead-letter topic) as a {@link BatchListenerFailedException} naming its index, so its offset and the ones after it
 * are polled again. The exception is one class per kind of failure ({@link Failures}): the error handler starts its
 * retries over when the class changes, as it did when it saw the handler's own exceptions. Metrics and relay
 * wake-ups of a rolled-back batch never happen (they run after a commit); its log lines are written again when its
 * records are applied alone.
 */
public final class BatchTransactions {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(BatchTransactions.class);

    private final TransactionTemplate tx;
    private final io.micrometer.core.instrument.Counter rolledBack;

    /** Counts {@code pipeline_batches_rolled_back_total}: batches applied one by one after a failure. */
    public BatchTransactions(PlatformTransactionManager transactions,
                             io.micrometer.core.instrument.MeterRegistry meters) {
        this.tx = new TransactionTemplate(transactions);
        this.rolledBack = io.micrometer.core.instrument.Counter.builder("pipeline.batches.rolled-back")
                .description("polled batches whose transaction rolled back, applied again record by record")
                .register(meters);
    }

    /**
     * @param inBatch what a record does inside the batch's transaction (the handler joins it)
     * @param alone   what a record does on its own after a failed batch (its own transaction, and the answers a
     *                record listener gives to content its database refuses)
     */
    public void apply(List<ConsumerRecord<String, String>> records, Consumer<ConsumerRecord<String, String>> inBatch,
                      Consumer<ConsumerRecord<String, String>> alone) {
        apply(records, ConsumerRecord::key, inBatch, alone);
    }

    /**
     * @param lockKey what a record locks (a job id where records of one topic name jobs but are keyed by user): the
     *                batch is applied in this order
     */
    public void apply(List<ConsumerRecord<String, String>> records,
                      Function<ConsumerRecord<String, String>, String> lockKey,
                      Consumer<ConsumerRecord<String, String>> inBatch, Consumer<ConsumerRecord<String, String>> alone) {
        if (records.size() > 1) {
            // each record's lock key worked out once; the sort is stable: the records of one lock key keep their order
            List<Keyed> keyed = new ArrayList<>(records.size());
            records.forEach(r -> keyed.add(new Keyed(lockKey.apply(r), r)));
            keyed.sort(Comparator.comparing(Keyed::key, Comparator.nullsFirst(Comparator.naturalOrder())));
            List<ConsumerRecord<String, String>> byKey = keyed.stream().map(Keyed::record).toList();
            AtomicBoolean committed = new AtomicBoolean();
            try {
                tx.executeWithoutResult(status -> {
                    TransactionSynchronizationManager.registerSynchronization(new Committed(committed));
                    byKey.forEach(inBatch);
                });
                return;
            } catch (RuntimeException e) {
                if (committed.get()) {
                    // the batch is in the database; something run after its commit failed: applying it again would
                    // only meet the inbox
                    log.atWarn().setCause(e).addKeyValue("records", records.size())
                            .log("batch.after-commit-failed; the batch stays applied");
                    return;
                }
                rolledBack.increment();
                log.atWarn().addKeyValue("records", records.size()).addKeyValue("topic", records.getFirst().topic())
                        .addKeyValue("reason", e.getClass().getSimpleName() + ": " + e.getMessage())
                        .log("batch.rolled-back; applying its records one by one");
            }
        }
        for (int i = 0; i < records.size(); i++) {
            try {
                alone.accept(records.get(i));
            } catch (RuntimeException e) {
                throw failed(e, i);
            }
        }
    }

    /** The failure of record {@code index}, as a class of its kind (see the class comment). */
    static BatchListenerFailedException failed(RuntimeException e, int index) {
        if (RetryAfter.in(e).isPresent()) {
            return new RetryLater(e, index);
        }
        return switch (Failures.classify(e)) {
            case TRANSIENT -> new TransientFailure(e, index);
            case POISON -> new PoisonFailure(e, index);
            case UNKNOWN -> new UnknownFailure(e, index);
        };
    }

    /** A record that failed transiently (the database or the broker away): tried again without limit. */
    public static final class TransientFailure extends BatchListenerFailedException {
        TransientFailure(RuntimeException cause, int index) {
            super(String.valueOf(cause.getMessage()), cause, index);
        }
    }

    /** A record no retry can cure: the dead-letter topic at once. */
    public static final class PoisonFailure extends BatchListenerFailedException {
        PoisonFailure(RuntimeException cause, int index) {
            super(String.valueOf(cause.getMessage()), cause, index);
        }
    }

    /** A record that failed for a reason nobody foresaw: a few tries, then the dead-letter topic. */
    public static final class UnknownFailure extends BatchListenerFailedException {
        UnknownFailure(RuntimeException cause, int index) {
            super(String.valueOf(cause.getMessage()), cause, index);
        }
    }

    /** A record whose failure says when to try again (a Retry-After). */
    public static final class RetryLater extends BatchListenerFailedException {
        RetryLater(RuntimeException cause, int index) {
            super(String.valueOf(cause.getMessage()), cause, index);
        }
    }

    private record Keyed(String key, ConsumerRecord<String, String> record) {
    }

    /** Notes that the batch's transaction committed, before any other after-commit action runs. */
    private record Committed(AtomicBoolean committed) implements TransactionSynchronization, Ordered {
        @Override
        public void afterCommit() {
            committed.set(true);
        }

        @Override
        public int getOrder() {
            return Ordered.HIGHEST_PRECEDENCE;
        }
    }
}
