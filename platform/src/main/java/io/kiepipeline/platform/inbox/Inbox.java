package io.kiepipeline.platform.inbox;

import io.kiepipeline.schemas.EventId;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * The idempotent-consumer table: a consumer records each event id it handles in the same transaction as its write,
 * and skips an id it has already recorded. A PostgreSQL primary key, not memory, decides.
 */
public class Inbox {
    private final JdbcTemplate jdbc;

    public Inbox(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Forgets the event ids recorded before {@code cutoff}. The retention must be longer than any window in which a
     * message can come again (the topics' retention, 7 days by default: a consumer group reset to the earliest offset
     * replays that far), so the default is 14 days. Deletes in slices so that no long lock is held.
     */
    public int purgeProcessedBefore(java.time.Instant cutoff) {
        int total = 0;
        int n;
        do {
            n = jdbc.update("""
                    delete from processed_event where ctid in (
                      select ctid from processed_event where processed_at < ? limit 5000)""",
                    java.sql.Timestamp.from(cutoff));
            total += n;
        } while (n == 5000);
        return total;
    }

    /** True the first time this consumer sees the event; false for a redelivery. Needs the caller's transaction. */
    public boolean firstDelivery(String consumer, EventId eventId) {
        if (!TransactionSynchronizationManager.isActualTransactionActive()) {
            throw new IllegalStateException("the inbox must be written in the consumer's own transaction");
        }
        return jdbc.update("insert into processed_event (consumer, event_id) values (?, ?) on conflict do nothing",
                consumer, eventId.value()) == 1;
    }
}
