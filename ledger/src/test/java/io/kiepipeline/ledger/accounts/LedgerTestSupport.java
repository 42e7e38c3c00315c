package io.kiepipeline.ledger.accounts;

import io.kiepipeline.platform.messaging.Envelope;
import io.kiepipeline.schemas.EventId;
import io.kiepipeline.schemas.LedgerCommand;
import io.kiepipeline.schemas.MessageTypes;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.UUID;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * The ledger on a real PostgreSQL, without Kafka: commands are handed to {@link Ledger} directly, so each test sees
 * the outcome of each command. (The end-to-end tests drive the same code through Kafka.)
 */
final class LedgerTestSupport {
    private static EmbeddedPostgres postgres;

    private LedgerTestSupport() {
    }

    static synchronized void properties(DynamicPropertyRegistry registry) {
        if (postgres == null) {
            try {
                postgres = EmbeddedPostgres.builder().start();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        registry.add("DATABASE_URL", () -> postgres.getJdbcUrl("postgres", "postgres"));
        registry.add("DATABASE_USER", () -> "postgres");
        registry.add("KAFKA_BOOTSTRAP_SERVERS", () -> "127.0.0.1:1");
        registry.add("spring.kafka.listener.auto-startup", () -> "false");
        registry.add("spring.kafka.admin.auto-create", () -> "false");
        registry.add("pipeline.outbox.enabled", () -> "false");
    }

    static Envelope envelope(LedgerCommand command) {
        return envelope(new EventId(UUID.randomUUID()), command);
    }

    static Envelope envelope(EventId id, LedgerCommand command) {
        return new Envelope(id, MessageTypes.nameOf(command.getClass()), command, null, null, Instant.now(),
                "ledger.commands", 0, 0);
    }
}
