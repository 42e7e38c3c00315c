package io.kiepipeline.platform.health;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.kafka.core.KafkaAdmin;

/**
 * {@code kafka} in the readiness group: up while the cluster answers a metadata request within {@link #TIMEOUT}
 * (the brokers it has, the controller). A probe is answered from the last check for {@link #REUSE}, so probes every
 * second cost one request every few seconds; the admin client is made once, on the first probe.
 */
public class KafkaHealthIndicator implements HealthIndicator, AutoCloseable {
    static final Duration TIMEOUT = Duration.ofSeconds(3);
    static final Duration REUSE = Duration.ofSeconds(2);

    private final KafkaAdmin kafkaAdmin;
    private final Clock clock;
    private Admin admin;
    private Health last;
    private Instant checkedAt = Instant.MIN;

    public KafkaHealthIndicator(KafkaAdmin kafkaAdmin, Clock clock) {
        this.kafkaAdmin = kafkaAdmin;
        this.clock = clock;
    }

    @Override
    public synchronized Health health() {
        Instant now = clock.instant();
        if (last != null && now.isBefore(checkedAt.plus(REUSE))) {
            return last;
        }
        last = check();
        checkedAt = clock.instant();
        return last;
    }

    private Health check() {
        try {
            if (admin == null) {
                Map<String, Object> config = new java.util.HashMap<>(kafkaAdmin.getConfigurationProperties());
                config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
                config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
                config.putIfAbsent(AdminClientConfig.CLIENT_ID_CONFIG, "health");
                admin = Admin.create(config);
            }
            var cluster = admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) TIMEOUT.toMillis()));
            int brokers = cluster.nodes().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).size();
            String clusterId = cluster.clusterId().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return Health.up().withDetail("brokers", brokers).withDetail("clusterId", clusterId).build();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Health.down().withDetail("reason", "interrupted").build();
        } catch (Exception e) {
            return Health.down().withDetail("reason", String.valueOf(e.getMessage())).build();
        }
    }

    @Override
    public synchronized void close() {
        if (admin != null) {
            admin.close(Duration.ofSeconds(1));
            admin = null;
        }
    }
}
