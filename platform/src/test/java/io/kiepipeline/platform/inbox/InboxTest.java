package io.kiepipeline.platform.inbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.kiepipeline.schemas.EventId;
import io.kiepipeline.platform.testing.OutboxDatabase;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/** The inbox on real PostgreSQL. */
class InboxTest {
    private static EmbeddedPostgres postgres;

    @BeforeAll
    static void start() throws Exception {
        postgres = OutboxDatabase.start();
    }

    @AfterAll
    static void stop() throws Exception {
        postgres.close();
    }

    @Test
    void seesAnEventOnceAndForgetsOnlyIdsOlderThanTheRetention() {
        JdbcTemplate jdbc = new JdbcTemplate(postgres.getPostgresDatabase());
        TransactionTemplate tx = new TransactionTemplate(new DataSourceTransactionManager(
                postgres.getPostgresDatabase()));
        Inbox inbox = new Inbox(jdbc);
        EventId old = new EventId(UUID.randomUUID());
        EventId recent = new EventId(UUID.randomUUID());
        assertThat(Boolean.TRUE.equals(tx.execute(s -> inbox.firstDelivery("c", old)))).isTrue();
        assertThat(Boolean.TRUE.equals(tx.execute(s -> inbox.firstDelivery("c", old)))).isFalse();
        assertThat(Boolean.TRUE.equals(tx.execute(s -> inbox.firstDelivery("c", recent)))).isTrue();
        jdbc.update("update processed_event set processed_at = now() - interval '15 days' where event_id = ?",
                old.value());

        int purged = inbox.purgeProcessedBefore(Instant.now().minus(Duration.ofDays(14)));

        assertThat(purged).isEqualTo(1);
        assertThat(Boolean.TRUE.equals(tx.execute(s -> inbox.firstDelivery("c", recent))))
                .as("a recent id is still remembered")
                .isFalse();
    }
}
