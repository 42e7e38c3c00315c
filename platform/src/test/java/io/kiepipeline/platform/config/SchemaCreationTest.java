package io.kiepipeline.platform.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

class SchemaCreationTest {
    private static EmbeddedPostgres postgres;

    @BeforeAll
    static void start() throws Exception {
        postgres = EmbeddedPostgres.builder().start();
    }

    @AfterAll
    static void stop() throws Exception {
        postgres.close();
    }

    @Test
    void instancesStartingAtOnceMigrateOneAtATime() throws Exception {
        DataSource ds = postgres.getPostgresDatabase();
        int instances = 4;
        for (int round = 0; round < 3; round++) {
            String schema = "migrate_" + round;
            atOnce(instances, () -> {
                // each instance is its own process with its own post-processor
                SchemaCreatingPostProcessor processor = new SchemaCreatingPostProcessor(schema);
                processor.postProcessAfterInitialization(ds, "dataSource");
                liquibase.integration.spring.SpringLiquibase liquibase =
                        new liquibase.integration.spring.SpringLiquibase();
                liquibase.setDataSource(ds);
                liquibase.setChangeLog("classpath:db/platform/outbox-inbox.yaml");
                liquibase.setDefaultSchema(schema);
                liquibase.setLiquibaseSchema(schema);
                liquibase.setResourceLoader(new org.springframework.core.io.DefaultResourceLoader());
                return liquibase;
            }, liquibase -> {
                SchemaCreatingPostProcessor processor = new SchemaCreatingPostProcessor(schema);
                processor.postProcessBeforeInitialization(liquibase, "liquibase");
                liquibase.afterPropertiesSet();
                processor.postProcessAfterInitialization(liquibase, "liquibase");
            });
            try (Connection c = ds.getConnection(); ResultSet r = c.createStatement().executeQuery(
                    "select count(*) from " + schema + ".databasechangelog")) {
                r.next();
                assertThat(r.getInt(1)).isPositive();
            }
        }
    }

    /**
     * A twin's migration on a loaded host takes longer than the connections' lock timeout (10 s in production, 200 ms
     * here); the waiting instance must not fail to start for it (it did: a cluster start lost a kie-worker so).
     */
    @Test
    void anInstanceWaitsForItsTwinsMigrationLongerThanTheLockTimeout() throws Exception {
        PGSimpleDataSource shortLocks = new PGSimpleDataSource();
        shortLocks.setUrl(postgres.getJdbcUrl("postgres", "postgres"));
        shortLocks.setOptions("-c lock_timeout=200ms");
        String schema = "slow_twin";
        ExecutorService starting = Executors.newSingleThreadExecutor();
        try (Connection twin = postgres.getPostgresDatabase().getConnection();
             Connection own = shortLocks.getConnection()) {
            try (PreparedStatement lock = twin.prepareStatement("select pg_advisory_lock(hashtext(?))")) {
                lock.setString(1, "kie-pipeline:migration:" + schema);
                lock.execute();
            }
            SingleConnectionDataSource ds = new SingleConnectionDataSource(own, true);
            liquibase.integration.spring.SpringLiquibase liquibase = new liquibase.integration.spring.SpringLiquibase();
            liquibase.setDataSource(ds);
            SchemaCreatingPostProcessor processor = new SchemaCreatingPostProcessor(schema);
            Future<Object> start = starting.submit(() -> processor.postProcessBeforeInitialization(liquibase, "lb"));

            // waiting on the twin for well over its lock timeout, and not given up
            await().atMost(Duration.ofSeconds(20)).until(() -> start.isDone() || waitingLongerThan(shortLocks, 800));
            assertThat(start).isNotDone();
            try (Statement unlock = twin.createStatement()) {
                unlock.execute("select pg_advisory_unlock_all()");
            }

            assertThat(start.get()).isSameAs(liquibase);
            try (Statement s = own.createStatement(); ResultSet r = s.executeQuery("show lock_timeout")) {
                r.next();
                assertThat(r.getString(1)).as("the session's own lock timeout, given back").isEqualTo("200ms");
            }
            processor.postProcessAfterInitialization(liquibase, "lb");
            try (Statement s = twin.createStatement(); ResultSet r = s.executeQuery(
                    "select count(*) from pg_locks where locktype = 'advisory'")) {
                r.next();
                assertThat(r.getInt(1)).as("the migration lock, released").isZero();
            }
        } finally {
            starting.shutdownNow();
        }
    }

    @Test
    void aLongerLockWaitNeverShortensTheConnectionsOwn() throws Exception {
        try (Connection c = postgres.getPostgresDatabase().getConnection()) {
            for (String[] own : new String[][] {{"200ms", "5min"}, {"10min", "10min"}, {"0", "0"}}) {
                LockWaits.restore(c, own[0]);
                LockWaits.atLeast(c, Duration.ofMinutes(5), false);
                assertThat(LockWaits.current(c)).as("the session's %s, made at least 5 minutes", own[0])
                        .isEqualTo(own[1]);
            }
            LockWaits.restore(c, "200ms");
            c.setAutoCommit(false);
            LockWaits.atLeast(c, Duration.ofMinutes(2), true);
            assertThat(LockWaits.current(c)).isEqualTo("2min");
            c.commit();
            assertThat(LockWaits.current(c)).as("for that transaction only").isEqualTo("200ms");
        }
    }

    private static boolean waitingLongerThan(DataSource ds, long millis) throws Exception {
        try (Connection c = ds.getConnection(); ResultSet r = c.createStatement().executeQuery(
                "select count(*) from pg_stat_activity where wait_event_type = 'Lock' and query like '%pg_advisory_lock%'"
                        + " and now() - query_start > interval '" + millis + " milliseconds'")) {
            r.next();
            return r.getInt(1) > 0;
        }
    }

    @Test
    void instancesStartingAtOnceAllFindTheirSchema() throws Exception {
        DataSource ds = postgres.getPostgresDatabase();
        int instances = 8;
        for (int round = 0; round < 5; round++) {
            String schema = "race_" + round;
            atOnce(instances, ds::getConnection, c -> {
                try (c) {
                    SchemaCreatingPostProcessor.createSchema(c, schema);
                }
            });
            try (Connection c = ds.getConnection(); ResultSet r = c.createStatement()
                    .executeQuery("select count(*) from pg_namespace where nspname = '" + schema + "'")) {
                r.next();
                assertThat(r.getInt(1)).isEqualTo(1);
            }
        }
    }

    interface Step<T> {
        void run(T prepared) throws Exception;
    }

    /** Prepares {@code instances} things, then runs the step on all of them at the same moment, as starting twins do. */
    private static <T> void atOnce(int instances, Callable<T> prepare, Step<T> step) throws Exception {
        CyclicBarrier together = new CyclicBarrier(instances);
        List<Callable<Void>> starts = new ArrayList<>();
        for (int i = 0; i < instances; i++) {
            starts.add(() -> {
                T prepared = prepare.call();
                together.await();
                step.run(prepared);
                return null;
            });
        }
        ExecutorService pool = Executors.newFixedThreadPool(instances);
        try {
            for (Future<Void> f : pool.invokeAll(starts)) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
    }
}
