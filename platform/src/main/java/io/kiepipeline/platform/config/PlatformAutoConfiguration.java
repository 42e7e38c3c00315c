package io.kiepipeline.platform.config;

import io.kiepipeline.platform.consuming.Failures;
import io.kiepipeline.schemas.Limits;
import io.kiepipeline.platform.inbox.Inbox;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.listener.ContainerPausingBackOffHandler;
import org.springframework.kafka.listener.ListenerContainerPauseService;
import org.springframework.kafka.listener.RetryListener;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;
import org.springframework.util.backoff.ExponentialBackOff;
import io.kiepipeline.platform.logging.SecretMasker;
import io.kiepipeline.platform.messaging.RetryAfter;
import io.kiepipeline.platform.outbox.OutboxRelay;
import io.kiepipeline.platform.outbox.OutboxWriter;
import io.kiepipeline.schemas.MessageCodec.UnreadableMessageException;
import io.kiepipeline.schemas.Topic;
import io.kiepipeline.schemas.Topics;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.NewTopic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Configuration;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.CommonErrorHandler;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.kafka.support.ExponentialBackOffWithMaxRetries;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.util.backoff.FixedBackOff;

/** What every service gets from the platform library: its schema, outbox, inbox, topics and error handling. */
@AutoConfiguration
@EnableConfigurationProperties(PlatformProperties.class)
public class PlatformAutoConfiguration {
    private static final Logger log = LoggerFactory.getLogger(PlatformAutoConfiguration.class);

    /** The secret-bearing variables of every service: their values never reach a log line. */
    public static final List<String> SECRET_VARIABLES = List.of("TELEGRAM_BOT_TOKEN", "KIE_API_KEY", "KIE_API_KEYS",
            "API_TOKEN", "ADMIN_TOKEN", "CALLBACK_SECRET", "DATABASE_PASSWORD", "KIE_WEBHOOK_HMAC_KEY",
            "TELEGRAM_WEBHOOK_SECRET", "PAYMENT_PROVIDER_TOKEN");

    /**
     * Before anything else is created: stops the service when a required variable is missing (naming it), and
     * registers every secret with the log masker.
     */
    @Bean
    static BeanFactoryPostProcessor requiredSettingsAndSecretMasking(Environment env) {
        RequiredSettings.checkListed(env);
        for (String name : SECRET_VARIABLES) {
            String value = env.getProperty(name);
            SecretMasker.register(value);
            if (value != null && value.contains(",")) {
                // several keys in one variable (KIE_API_KEYS): each is a secret on its own
                for (String part : value.split(",")) {
                    SecretMasker.register(part.trim());
                }
            }
        }
        // every settings record bound now, before the database or Kafka: a bad value stops the start first
        return beanFactory -> SettingsBindHandler.bindEarly(beanFactory, env);
    }

    /** A setting with a bad value stops the start naming its variable, its value and the rule it breaks. */
    @Bean
    static org.springframework.boot.context.properties.ConfigurationPropertiesBindHandlerAdvisor
            settingsNamedByTheirVariable(Environment env) {
        return handler -> new SettingsBindHandler(handler, env);
    }

    @Bean
    @ConditionalOnMissingBean
    Clock clock() {
        return Clock.systemUTC();
    }

    /**
     * {@code kafka} in the readiness group (platform-defaults.yml): the service is ready only while the cluster
     * answers. Named {@code kafka}: the bean name is the health contributor's name.
     */
    @Bean(name = "kafka", destroyMethod = "close")
    @ConditionalOnMissingBean(name = "kafka")
    io.kiepipeline.platform.health.KafkaHealthIndicator kafka(KafkaAdmin kafkaAdmin, Clock clock) {
        return new io.kiepipeline.platform.health.KafkaHealthIndicator(kafkaAdmin, clock);
    }

    /** The service's own schema, its outbox and its inbox: for every service that has a database. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.jdbc.core.JdbcTemplate")
    @ConditionalOnProperty(name = "pipeline.database.enabled", matchIfMissing = true)
    static class Database {
        @Bean
        static BeanPostProcessor serviceSchemaCreator(Environment env) {
            return new SchemaCreatingPostProcessor(env.getRequiredProperty("pipeline.db-schema"));
        }

        @Bean
        io.kiepipeline.platform.consuming.BatchTransactions batchTransactions(PlatformTransactionManager txManager,
                                                                              ObjectProvider<MeterRegistry> meters) {
            return new io.kiepipeline.platform.consuming.BatchTransactions(txManager,
                    meters.getIfAvailable(SimpleMeterRegistry::new));
        }

        @Bean
        Inbox inbox(JdbcTemplate jdbc) {
            return new Inbox(jdbc);
        }

        @Bean
        OutboxRelay outboxRelay(JdbcTemplate jdbc, PlatformTransactionManager txManager,
                                KafkaTemplate<String, String> kafka, PlatformProperties props,
                                ObjectProvider<MeterRegistry> meters) {
            PlatformProperties.Outbox o = props.outbox();
            OutboxRelay relay = new OutboxRelay(jdbc, new TransactionTemplate(txManager), kafka,
                    new OutboxRelay.Settings(props.serviceName(), o.batchSize(), o.idlePoll(), o.failurePause(),
                            o.ackTimeout(), o.retention(), o.enabled(), o.maxRecordBytes()));
            meters.ifAvailable(relay::bindTo);
            Inbox inbox = new Inbox(jdbc);
            relay.setHousekeeping(() -> {
                int purged = inbox.purgeProcessedBefore(java.time.Instant.now().minus(props.inboxRetention()));
                if (purged > 0) {
                    log.atInfo().addKeyValue("service", props.serviceName()).addKeyValue("rows", purged)
                            .log("inbox.purged");
                }
            });
            return relay;
        }

        @Bean
        OutboxWriter outboxWriter(JdbcTemplate jdbc, OutboxRelay relay, Clock clock, PlatformProperties props) {
            OutboxWriter writer = new OutboxWriter(jdbc, relay, clock, props.outbox().lanes());
            writer.verifyLanes();
            return writer;
        }
    }

    /**
     * Every topic and its dead-letter topic, with as many partitions (the recoverer keeps the partition). The
     * replication factor is the broker's {@code default.replication.factor}: 3 on a production cluster, 1 embedded;
     * {@code KAFKA_MIN_INSYNC_REPLICAS} (2 with 3 replicas) sets {@code min.insync.replicas} on the topics created
     * here, so that an acks=all write is acknowledged only once that many brokers have it.
     */
    /** Existing topics are never changed at start (see {@link OnlyMissingTopics}). */
    @Bean
    static BeanPostProcessor pipelineTopicsOnlyWhenMissing() {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessAfterInitialization(Object bean, String beanName) {
                if (bean instanceof KafkaAdmin admin) {
                    admin.setCreateOrModifyTopic(new OnlyMissingTopics(admin));
                }
                return bean;
            }
        };
    }

    @Bean
    KafkaAdmin.NewTopics pipelineTopics(PlatformProperties props) {
        return new KafkaAdmin.NewTopics(topics(props).toArray(NewTopic[]::new));
    }

    static List<NewTopic> topics(PlatformProperties props) {
        List<NewTopic> topics = new ArrayList<>();
        for (Topic<?> topic : Topics.ALL) {
            Stream.of(topic.name(), topic.deadLetter()).forEach(name -> {
                // a single-key state topic needs one partition; compacted, it keeps the latest state for ever
                TopicBuilder builder = TopicBuilder.name(name).partitions(topic.keyKind() == Topic.KeyKind.SINGLE ? 1
                        : props.partitions());
                if (topic.compacted() && name.equals(topic.name())) {
                    builder = builder.compact();
                }
                if (props.minInsyncReplicas() != null) {
                    builder = builder.config("min.insync.replicas", Integer.toString(props.minInsyncReplicas()));
                }
                topics.add(builder.build());
            });
        }
        return topics;
    }

    /** Resumes listener containers paused for a back-off. */
    @Bean(destroyMethod = "shutdown")
    ThreadPoolTaskScheduler pipelineBackOffScheduler(PlatformProperties props) {
        ThreadPoolTaskScheduler scheduler = new ThreadPoolTaskScheduler();
        scheduler.setPoolSize(1);
        scheduler.setThreadNamePrefix(props.serviceName() + "-backoff-");
        scheduler.setDaemon(true);
        scheduler.initialize();
        return scheduler;
    }

    /**
     * The one decision of what a failed record gets, for every consumer (see {@link Failures}): transient failures are
     * tried again without limit, the listener container paused for the back-off (it keeps polling, so it stays in its
     * group, and nothing sleeps on its thread); poison goes straight to the dead-letter topic; an unknown failure gets
     * a few tries, then the dead-letter topic and an operator alert. Ordering per key is kept: no retry topics.
     */
    @Bean
    CommonErrorHandler pipelineErrorHandler(KafkaTemplate<String, String> kafka, PlatformProperties props,
                                            KafkaListenerEndpointRegistry registry,
                                            ThreadPoolTaskScheduler pipelineBackOffScheduler,
                                            ObjectProvider<MeterRegistry> meters) {
        DeadLetterPublishingRecoverer deadLetters = new DeadLetterPublishingRecoverer(kafka);
        MeterRegistry meterRegistry = meters.getIfAvailable(SimpleMeterRegistry::new);
        // every series exists from the start at 0: Prometheus's increase() never counts a series' first sample, so
        // a counter born at 1 (the first dead letter) would never fire an alert
        for (Topic<?> topic : Topics.ALL) {
            for (Failures.Kind kind : Failures.Kind.values()) {
                meterRegistry.counter("pipeline.messages.dead-lettered", "topic", topic.name(), "kind", kind.name());
                meterRegistry.counter("pipeline.messages.retried", "topic", topic.name(), "kind", kind.name());
            }
        }
        DefaultErrorHandler handler = new DefaultErrorHandler((record, e) -> {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            if (cause instanceof org.springframework.kafka.listener.BatchListenerFailedException batch
                    && batch.getCause() != null) {
                cause = batch.getCause(); // a batch listener's record: the handler's own failure is the reason
            }
            Failures.Kind kind = Failures.classify(e);
            meterRegistry.counter("pipeline.messages.dead-lettered", "topic", record.topic(), "kind", kind.name())
                    .increment();
            log.atError().addKeyValue("service", props.serviceName()).addKeyValue("topic", record.topic())
                    .addKeyValue("partition", record.partition()).addKeyValue("offset", record.offset())
                    .addKeyValue("key", record.key()).addKeyValue("kind", kind)
                    .addKeyValue("reason", Limits.cap(String.valueOf(cause.getMessage()), 500))
                    .log("message.dead-lettered; operator: see docs/operations.md, replay with make replay-dlt");
            deadLetters.accept(record, e);
        }, backOff(props.retry()), new ContainerPausingBackOffHandler(
                new ListenerContainerPauseService(registry, pipelineBackOffScheduler)));
        handler.addNotRetryableExceptions(UnreadableMessageException.class);
        handler.setResetStateOnExceptionChange(true);
        handler.setLogLevel(org.springframework.kafka.KafkaException.Level.DEBUG);
        handler.setBackOffFunction((record, e) -> {
            var wait = RetryAfter.in(e);
            if (wait.isPresent()) {
                return new FixedBackOff(Math.max(wait.get().retryAfter().toMillis(), 10), props.retry().maxAttempts());
            }
            return switch (Failures.classify(e)) {
                case TRANSIENT -> transientBackOff(props.retry());
                case POISON, UNKNOWN -> null;
            };
        });
        handler.setRetryListeners(new RetryListener() {
            @Override
            public void failedDelivery(ConsumerRecord<?, ?> record, Exception e, int attempt) {
                Failures.Kind kind = Failures.classify(e);
                meterRegistry.counter("pipeline.messages.retried", "topic", record.topic(), "kind", kind.name())
                        .increment();
                Throwable root = e;
                while (root.getCause() != null && root.getCause() != root) {
                    root = root.getCause();
                }
                log.atWarn().addKeyValue("service", props.serviceName()).addKeyValue("topic", record.topic())
                        .addKeyValue("partition", record.partition()).addKeyValue("offset", record.offset())
                        .addKeyValue("kind", kind).addKeyValue("attempt", attempt)
                        .addKeyValue("reason", Limits.cap(root.getClass().getSimpleName() + ": " + root.getMessage(),
                                300))
                        .log(kind == Failures.Kind.TRANSIENT ? "message.retrying; transient, tried until it succeeds"
                                : "message.retrying");
            }
        });
        return handler;
    }

    /** No limit on tries or time: an outage of any length ends with the message applied, not dead-lettered. */
    private static ExponentialBackOff transientBackOff(PlatformProperties.Retry retry) {
        ExponentialBackOff backOff = new ExponentialBackOff(retry.initialInterval().toMillis(), 2.0);
        backOff.setMaxInterval(retry.transientMaxInterval().toMillis());
        backOff.setMaxElapsedTime(Long.MAX_VALUE);
        return backOff;
    }

    private static ExponentialBackOffWithMaxRetries backOff(PlatformProperties.Retry retry) {
        ExponentialBackOffWithMaxRetries backOff = new ExponentialBackOffWithMaxRetries(retry.maxAttempts() - 1);
        backOff.setInitialInterval(retry.initialInterval().toMillis());
        backOff.setMultiplier(2.0);
        backOff.setMaxInterval(retry.maxInterval().toMillis());
        return backOff;
    }
}
