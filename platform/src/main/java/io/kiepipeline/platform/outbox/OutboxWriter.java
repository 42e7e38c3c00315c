package io.kiepipeline.platform.outbox;

import io.kiepipeline.schemas.Message;
import io.kiepipeline.schemas.MessageCodec;
import io.kiepipeline.schemas.MessageTypes;
import io.kiepipeline.schemas.Topics;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Appends messages to the service's outbox table inside the caller's database transaction: the message exists if and
 * only if the business write committed. The relay publishes it afterwards; a commit wakes the relay at once.
 */
public class OutboxWriter {
    private final JdbcTemplate jdbc;
    private final OutboxRelay relay;
    private final Clock clock;
    private final int lanes;

    public OutboxWriter(JdbcTemplate jdbc, OutboxRelay relay, Clock clock, int lanes) {
        this.jdbc = jdbc;
        this.relay = relay;
        this.clock = clock;
        this.lanes = lanes;
    }

    /**
     * Refuses to start when the setting names lanes the outbox table does not have: messages written to such a lane
     * would never be published, since the relay only visits lanes listed in {@code outbox_lane}.
     */
    public void verifyLanes() {
        if (lanes < 1) {
            throw new IllegalStateException("pipeline.outbox.lanes must be at least 1, not " + lanes);
        }
        Integer present = jdbc.queryForObject("select count(*) from outbox_lane where lane between 0 and ?",
                Integer.class, lanes - 1);
        if (present == null || present < lanes) {
            throw new IllegalStateException("pipeline.outbox.lanes is " + lanes + " but the outbox has only "
                    + present + " of lanes 0.." + (lanes - 1) + ": messages in the missing lanes would never be"
                    + " published. Lower the setting, or add the lanes to outbox_lane with a changeSet.");
        }
    }

    /** Appends a message; {@code correlationId} is the job id where there is one. */
    public UUID append(Message message, String correlationId, String causationId) {
        if (!TransactionSynchronizationManager.isActualTransactionActive()) {
            throw new IllegalStateException("the outbox must be written in the business transaction");
        }
        UUID eventId = UUID.randomUUID();
        String key = message.key();
        jdbc.update("""
                        insert into outbox_message
                          (event_id, topic, message_key, lane, event_type, payload, correlation_id, causation_id,
                           occurred_at)
                        values (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                eventId, Topics.carrying(message.getClass()).name(), key, laneOf(key, lanes),
                MessageTypes.nameOf(message.getClass()), MessageCodec.toJson(message), correlationId, causationId,
                Timestamp.from(clock.instant()));
        WakeRelay wake = new WakeRelay(relay);
        if (!TransactionSynchronizationManager.getSynchronizations().contains(wake)) {
            TransactionSynchronizationManager.registerSynchronization(wake);
        }
        return eventId;
    }

    /** All messages of one key land in one lane, so publishing a lane in id order keeps per-key order. */
    static int laneOf(String key, int lanes) {
        return Math.floorMod(key.hashCode(), lanes);
    }

    private record WakeRelay(OutboxRelay relay) implements TransactionSynchronization {
        @Override
        public void afterCommit() {
            relay.wakeUp();
        }
    }
}
