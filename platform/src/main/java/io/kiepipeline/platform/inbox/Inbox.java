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

    /** True the first time this consumer sees the event; false for a redelivery. Needs the caller's transaction. */
    public boolean firstDelivery(String consumer, EventId eventId) {
        if (!TransactionSynchronizationManager.isActualTransactionActive()) {
            throw new IllegalStateException("the inbox must be written in the consumer's own transaction");
        }
        return jdbc.update("insert into processed_event (consumer, event_id) values (?, ?) on conflict do nothing",
                consumer, eventId.value()) == 1;
    }
}
