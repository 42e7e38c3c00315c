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
    void instancesStartingAtOnceAllFindTheirSchema() throws Exception {
        DataSource ds = postgres.getPostgresDatabase();
        int instances = 8;
        for (int round = 0; round < 5; round++) {
            String schema = "race_" + round;
            CyclicBarrier together = new CyclicBarrier(instances);
            List<Callable<Void>> starts = new ArrayList<>();
            for (int i = 0; i < instances; i++) {
                starts.add(() -> {
                    try (Connection c = ds.getConnection()) {
                        together.await();
                        SchemaCreatingPostProcessor.createSchema(c, schema);
                    }
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
            try (Connection c = ds.getConnection(); ResultSet r = c.createStatement()
                    .executeQuery("select count(*) from pg_namespace where nspname = '" + schema + "'")) {
                r.next();
                assertThat(r.getInt(1)).isEqualTo(1);
            }
        }
    }
}
