package io.kiepipeline.platform.consuming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kiepipeline.platform.inbox.Inbox;
import io.kiepipeline.schemas.MessageCodec.UnreadableMessageException;
import io.kiepipeline.platform.testing.OutboxDatabase;
import io.kiepipeline.schemas.EventId;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * A polled batch on real PostgreSQL: one transaction (one commit) for all its records when they all succeed; when one
 * fails, nothing of the batch is kept, the ones before it commit on their own, and the error handler is told which.
 */
class BatchTransactionsTest {
    private static EmbeddedPostgres postgres;
    private static DataSource dataSource;
    private JdbcTemplate jdbc;
    private BatchTransactions batches;
    private Inbox inbox;

    @BeforeAll
    static void start() throws Exception {
        postgres = OutboxDatabase.start();
        dataSource = postgres.getPostgresDatabase();
        new JdbcTemplate(dataSource).execute("create table applied (value text primary key)");
    }

    @AfterAll
    static void stop() throws Exception {
        postgres.close();
    }

    @BeforeEach
    void clean() {
        jdbc = new JdbcTemplate(dataSource);
        jdbc.update("delete from applied");
        DataSourceTransactionManager transactions = new DataSourceTransactionManager(dataSource);
        meters = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        batches = new BatchTransactions(transactions, meters);
        inbox = new Inbox(jdbc);
        handlerTx = new TransactionTemplate(transactions);
    }

    private TransactionTemplate handlerTx;
    private io.micrometer.core.instrument.MeterRegistry meters;

    /** A consumer as the services write one: its own transaction (joined by a batch's), the inbox, then its write. */
    private final Consumer<ConsumerRecord<String, String>> handler = record -> handlerTx.executeWithoutResult(s -> {
        if (inbox.firstDelivery("test", new EventId(UUID.fromString(record.key())))) {
            jdbc.update("insert into applied (value) values (?)", record.value());
        }
    });

    @Test
    void appliesAWholeBatchInOneTransaction() {
        List<ConsumerRecord<String, String>> records = records("a", "b", "c", "d");

        batches.apply(records, handler, handler);

        assertThat(jdbc.queryForList("select value from applied order by value", String.class))
                .containsExactly("a", "b", "c", "d");
        assertThat(jdbc.queryForObject("select count(distinct xmin::text) from applied", Long.class))
                .as("transactions that wrote them").isEqualTo(1);
        assertThat(meters.get("pipeline.batches.rolled-back").counter().count()).isZero();
    }

    @Test
    void aCopyLaterInTheSameBatchIsSkippedByTheInbox() {
        List<ConsumerRecord<String, String>> records = new ArrayList<>(records("a", "b"));
        records.add(new ConsumerRecord<>("t", 0, 2, records.getFirst().key(), "a-again"));

        batches.apply(records, handler, handler);

        assertThat(jdbc.queryForList("select value from applied order by value", String.class))
                .containsExactly("a", "b");
    }

    @Test
    void whenOneFailsTheOnesBeforeItCommitAloneAndTheHandlerIsToldWhich() {
        // "c" is refused by the database (a value already there): the batch rolls back, then one by one
        jdbc.update("insert into applied (value) values ('c')");
        List<ConsumerRecord<String, String>> records = records("a", "b", "c", "d");

        assertThatThrownBy(() -> batches.apply(records, handler, handler))
                .isInstanceOfSatisfying(BatchTransactions.UnknownFailure.class, e -> {
                    assertThat(e.getIndex()).isEqualTo(2);
                    assertThat(e.getCause()).isInstanceOf(org.springframework.dao.DuplicateKeyException.class);
                });

        assertThat(jdbc.queryForList("select value from applied order by value", String.class))
                .as("a and b applied, d left for the next poll").containsExactly("a", "b", "c");
        assertThat(meters.get("pipeline.batches.rolled-back").counter().count()).isEqualTo(1);
        assertThat(jdbc.queryForObject("select count(distinct xmin::text) from applied where value in ('a', 'b')",
                Long.class)).as("each in its own transaction").isEqualTo(2);
        assertThat(jdbc.queryForObject("select count(*) from processed_event where consumer = 'test' and event_id = ?",
                Long.class, UUID.fromString(records.get(3).key()))).as("nothing of the rolled-back batch").isZero();
    }

    @Test
    void eachKindOfFailureReachesTheErrorHandlerAsItsOwnClassSoThatItsRetriesStartOverWhenTheKindChanges() {
        // the error handler starts a record's retries over when the exception's class changes (a failure during a
        // database restart, then a bug): every failure of a batch listener is a BatchListenerFailedException, so
        // the kinds must be classes of their own
        class TooSoon extends RuntimeException implements io.kiepipeline.platform.messaging.RetryAfter {
            @Override
            public java.time.Duration retryAfter() {
                return java.time.Duration.ofSeconds(3);
            }
        }
        assertThat(BatchTransactions.failed(new IllegalStateException("a bug"), 0))
                .isInstanceOf(BatchTransactions.UnknownFailure.class);
        assertThat(BatchTransactions.failed(new org.springframework.dao.DataAccessResourceFailureException("down",
                new java.sql.SQLException("connection refused", "08001")), 0))
                .isInstanceOf(BatchTransactions.TransientFailure.class);
        assertThat(BatchTransactions.failed(new RuntimeException(new UnreadableMessageException("not json")), 0))
                .isInstanceOf(BatchTransactions.PoisonFailure.class);
        assertThat(BatchTransactions.failed(new TooSoon(), 1)).isInstanceOf(BatchTransactions.RetryLater.class)
                .satisfies(e -> assertThat(e.getIndex()).isEqualTo(1));
    }

    @Test
    void appliesABatchInTheOrderOfWhatItsRecordsLockAndKeepsTheOrderOfRecordsThatLockTheSameRow() {
        // a topic keyed by user whose records each name a job (the value here): applied in the jobs' order
        List<ConsumerRecord<String, String>> records = List.of(new ConsumerRecord<>("t", 0, 0, "u1", "j3"),
                new ConsumerRecord<>("t", 0, 1, "u2", "j1"), new ConsumerRecord<>("t", 0, 2, "u1", "j2"),
                new ConsumerRecord<>("t", 0, 3, "u3", "j1"));
        List<Long> order = new ArrayList<>();

        batches.apply(records, ConsumerRecord::value, r -> order.add(r.offset()), r -> order.add(r.offset()));

        assertThat(order).containsExactly(1L, 3L, 2L, 0L);
    }

    @Test
    void twoBatchesOfDifferentlyKeyedTopicsLockTheSameRowsInOneOrderSoNeitherDeadlocks() throws Exception {
        // the orchestrator's case: ledger events keyed by user, KIE events keyed by job, both locking job rows. In
        // key order, batch A would lock j2 then j1 and batch B j1 then j2: each takes its first row, waits for the
        // other at the barrier, then for the other's row (a deadlock). In the rows' order the second one waits for
        // the first row instead, the barrier times out, and both commit.
        jdbc.execute("create table if not exists locked_row (id text primary key)");
        jdbc.update("insert into locked_row values ('j1'), ('j2') on conflict do nothing");
        java.util.concurrent.CyclicBarrier bothHoldTheirFirstRow = new java.util.concurrent.CyclicBarrier(2);
        java.util.Set<Thread> waited = java.util.concurrent.ConcurrentHashMap.newKeySet();
        Consumer<ConsumerRecord<String, String>> lock = r -> handlerTx.executeWithoutResult(s -> {
            jdbc.queryForList("select id from locked_row where id = ? for update", String.class, r.value());
            if (waited.add(Thread.currentThread())) {
                try {
                    bothHoldTheirFirstRow.await(2, java.util.concurrent.TimeUnit.SECONDS);
                } catch (java.util.concurrent.TimeoutException | java.util.concurrent.BrokenBarrierException e) {
                    // the other batch waits for this row: go on
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        List<ConsumerRecord<String, String>> byUser = List.of(new ConsumerRecord<>("ledger", 0, 0, "u1", "j2"),
                new ConsumerRecord<>("ledger", 0, 1, "u2", "j1"));
        List<ConsumerRecord<String, String>> byJob = List.of(new ConsumerRecord<>("kie", 0, 0, "j1", "j1"),
                new ConsumerRecord<>("kie", 0, 1, "j2", "j2"));

        var pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            var a = pool.submit(() -> batches.apply(byUser, ConsumerRecord::value, lock, lock));
            var b = pool.submit(() -> batches.apply(byJob, ConsumerRecord::value, lock, lock));
            a.get(30, java.util.concurrent.TimeUnit.SECONDS);
            b.get(30, java.util.concurrent.TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }

        assertThat(meters.get("pipeline.batches.rolled-back").counter().count())
                .as("batches rolled back by a deadlock").isZero();
    }

    private static List<ConsumerRecord<String, String>> records(String... values) {
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        for (int i = 0; i < values.length; i++) {
            records.add(new ConsumerRecord<>("t", 0, i, UUID.randomUUID().toString(), values[i]));
        }
        return records;
    }
}
