package io.kiepipeline.platform.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
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
