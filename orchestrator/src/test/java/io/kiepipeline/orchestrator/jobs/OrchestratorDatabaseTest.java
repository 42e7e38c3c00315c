package io.kiepipeline.orchestrator.jobs;

import io.kiepipeline.orchestrator.OrchestratorApplication;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The orchestrator's Spring context on a real PostgreSQL (embedded), without Kafka: its listeners do not start and
 * its outbox is not relayed, and its timer does not run. The tests that extend it share one database and one context.
 */
@SpringBootTest(classes = OrchestratorApplication.class, properties = "spring.config.name=orchestrator")
abstract class OrchestratorDatabaseTest {
    private static EmbeddedPostgres postgres;

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        synchronized (OrchestratorDatabaseTest.class) {
            if (postgres == null) {
                try {
                    postgres = EmbeddedPostgres.builder().start();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        registry.add("DATABASE_URL", () -> postgres.getJdbcUrl("postgres", "postgres"));
        registry.add("DATABASE_USER", () -> "postgres");
        registry.add("KAFKA_BOOTSTRAP_SERVERS", () -> "127.0.0.1:1");
        registry.add("spring.kafka.listener.auto-startup", () -> "false");
        registry.add("spring.kafka.admin.auto-create", () -> "false");
        registry.add("pipeline.outbox.enabled", () -> "false");
        registry.add("USER_MAX_RUNNING_JOBS", () -> "1");
        // the timer looks once, at the start, and not again while the tests run: they handle due jobs themselves
        registry.add("pipeline.jobs.scheduler-period", () -> "1h");
    }
}
