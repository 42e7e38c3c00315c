package io.kiepipeline.allinone;

import java.util.Locale;
import java.util.Map;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * Where the end-to-end tests' Kafka and PostgreSQL come from: {@code TEST_INFRA=embedded} (the default: an in-process
 * KRaft broker and the embedded PostgreSQL binaries, as on machines without a Docker engine) or
 * {@code TEST_INFRA=testcontainers} (Testcontainers' Kafka and PostgreSQL, where a Docker engine answers). Asking for
 * Testcontainers without a Docker engine stops the tests with a clear message instead of quietly testing something
 * else. The cluster suite (its own processes, killed and restarted) always runs on the embedded binaries.
 */
final class TestInfra {
    static final String VARIABLE = "TEST_INFRA";
    static final String KAFKA_IMAGE = "apache/kafka-native:4.1.2";
    static final String POSTGRES_IMAGE = "postgres:17-alpine";

    enum Kind { EMBEDDED, TESTCONTAINERS }

    private TestInfra() {
    }

    /** The choice from the environment; an unknown value is refused naming the variable. */
    static Kind chosen(Map<String, String> environment) {
        String value = environment.getOrDefault(VARIABLE, "").trim().toLowerCase(Locale.ROOT);
        return switch (value) {
            case "", "embedded" -> Kind.EMBEDDED;
            case "testcontainers" -> Kind.TESTCONTAINERS;
            default -> throw new IllegalArgumentException(VARIABLE + " must be embedded or testcontainers, not '"
                    + environment.get(VARIABLE) + "'");
        };
    }

    /**
     * The environment entries that point EmbeddedPipeline at the chosen infrastructure: none for the embedded one
     * (it starts its own); for Testcontainers, the containers' addresses (started here, stopped with the JVM).
     */
    static Map<String, String> start(Kind kind, boolean dockerAvailable) {
        return switch (kind) {
            case EMBEDDED -> Map.of();
            case TESTCONTAINERS -> {
                if (!dockerAvailable) {
                    throw new IllegalStateException(VARIABLE + "=testcontainers needs a Docker engine and none answers"
                            + " here; unset " + VARIABLE + " to run on the in-process broker and embedded PostgreSQL");
                }
                KafkaContainer kafka = new KafkaContainer(KAFKA_IMAGE);
                PostgreSQLContainer postgres = new PostgreSQLContainer(POSTGRES_IMAGE);
                kafka.start();
                postgres.start();
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    kafka.stop();
                    postgres.stop();
                }));
                yield Map.of(EmbeddedPipeline.EXTERNAL_KAFKA, kafka.getBootstrapServers(),
                        EmbeddedPipeline.EXTERNAL_DATABASE_URL, postgres.getJdbcUrl(),
                        EmbeddedPipeline.EXTERNAL_DATABASE_USER, postgres.getUsername(),
                        EmbeddedPipeline.EXTERNAL_DATABASE_PASSWORD, postgres.getPassword());
            }
        };
    }

    /** Whether a Docker engine answers (asked only when Testcontainers is chosen: the probe takes a moment). */
    static boolean dockerAvailable() {
        return DockerClientFactory.instance().isDockerAvailable();
    }
}
