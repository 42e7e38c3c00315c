package io.kiepipeline.analytics;

import io.kiepipeline.analytics.streams.AnalyticsSettings;
import io.kiepipeline.analytics.streams.AnalyticsTopology;
import io.kiepipeline.schemas.AnalyticsViews;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.annotation.EnableKafkaStreams;
import org.springframework.kafka.config.StreamsBuilderFactoryBean;
import org.springframework.kafka.config.StreamsBuilderFactoryBeanConfigurer;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.core.KafkaAdmin;

/**
 * The analytics service: live views of the event topics (Kafka Streams, exactly once), written to compacted output
 * topics and queryable at {@code /internal/stats}. It owns no database and writes to no event topic.
 */
@SpringBootApplication
@EnableKafkaStreams
@EnableConfigurationProperties(AnalyticsSettings.class)
public class AnalyticsApplication {
    /** The service's configuration file, analytics.yml: the services share one classpath in the all-in-one run. */
    public static final String CONFIG_NAME = "analytics";
    private static final Logger log = LoggerFactory.getLogger(AnalyticsApplication.class);

    public static void main(String[] args) {
        SpringApplication app = new SpringApplication(AnalyticsApplication.class);
        app.setDefaultProperties(Map.of("spring.config.name", CONFIG_NAME));
        app.run(args);
    }

    @Bean
    Object analyticsTopology(StreamsBuilder builder, AnalyticsSettings settings) {
        AnalyticsTopology.build(builder, settings);
        return AnalyticsTopology.class;
    }

    /** The output topics, compacted: the latest figures per key. Streams creates only its internal topics. */
    @Bean
    KafkaAdmin.NewTopics analyticsTopics(io.kiepipeline.platform.config.PlatformProperties props) {
        return new KafkaAdmin.NewTopics(AnalyticsViews.ALL.stream().map(v -> {
            TopicBuilder b = TopicBuilder.name(v.topic()).partitions(props.partitions()).compact();
            if (props.minInsyncReplicas() != null) {
                b = b.config("min.insync.replicas", Integer.toString(props.minInsyncReplicas()));
            }
            return b.build();
        }).toArray(NewTopic[]::new));
    }

    /**
     * A stream thread that fails (a broker away longer than task.timeout.ms, a bug) is replaced: with exactly-once,
     * its tasks start again from their last commit, so nothing counts twice. (The address other instances reach this
     * one at is {@code application.server}, from ANALYTICS_ADVERTISED_ADDRESS in analytics.yml.)
     */
    @Bean
    StreamsBuilderFactoryBeanConfigurer analyticsStreamsConfigurer(AnalyticsSettings settings) {
        return factory -> {
            // a stopped instance (a deploy, a restart) leaves the group at once: its tasks move now, not when its
            // session expires (Streams otherwise stays silent on close, and the others wait the whole timeout)
            factory.setLeaveGroupOnClose(true);
            factory.setStreamsUncaughtExceptionHandler(e -> {
                log.atError().setCause(e).log("analytics.stream-thread-failed; replaced, resuming from the last commit");
                return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
            });
        };
    }

    /** Ready while the streams run (or rebalance); down when they stopped or failed. */
    @Bean(name = "streams")
    HealthIndicator streams(StreamsBuilderFactoryBean factory) {
        return () -> {
            KafkaStreams streams = factory.getKafkaStreams();
            KafkaStreams.State state = streams == null ? null : streams.state();
            boolean up = state != null && (state == KafkaStreams.State.RUNNING
                    || state == KafkaStreams.State.REBALANCING);
            return (up ? Health.up() : Health.down()).withDetail("state", String.valueOf(state)).build();
        };
    }

    @Bean
    FunctionCounter unreadableRecords(MeterRegistry registry) {
        return FunctionCounter.builder("pipeline.analytics.unreadable.records",
                        io.kiepipeline.analytics.streams.Counters.UNREADABLE, java.util.concurrent.atomic.AtomicLong::get)
                .description("event-topic records analytics could not read and skipped").register(registry);
    }
}
