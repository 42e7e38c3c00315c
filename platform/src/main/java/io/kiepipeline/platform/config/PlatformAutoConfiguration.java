package io.kiepipeline.platform.config;

import io.kiepipeline.platform.inbox.Inbox;
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
    public static final List<String> SECRET_VARIABLES = List.of("TELEGRAM_BOT_TOKEN", "KIE_API_KEY", "API_TOKEN",
            "ADMIN_TOKEN", "CALLBACK_SECRET", "DATABASE_PASSWORD", "KIE_WEBHOOK_HMAC_KEY",
            "TELEGRAM_WEBHOOK_SECRET");

    /**
     * Before anything else is created: stops the service when a required variable is missing (naming it), and
     * registers every secret with the log masker.
     */
    @Bean
    static BeanFactoryPostProcessor requiredSettingsAndSecretMasking(Environment env) {
        RequiredSettings.checkListed(env);
        for (String name : SECRET_VARIABLES) {
            SecretMasker.register(env.getProperty(name));
        }
        return beanFactory -> {
        };
    }

    @Bean
    @ConditionalOnMissingBean
    Clock clock() {
        return Clock.systemUTC();
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
        Inbox inbox(JdbcTemplate jdbc) {
            return new Inbox(jdbc);
        }

        @Bean
        OutboxRelay outboxRelay(JdbcTemplate jdbc, PlatformTransactionManager txManager,
                                KafkaTemplate<String, String> kafka, PlatformProperties props) {
            PlatformProperties.Outbox o = props.outbox();
            return new OutboxRelay(jdbc, new TransactionTemplate(txManager), kafka,
                    new OutboxRelay.Settings(props.serviceName(), o.batchSize(), o.idlePoll(), o.failurePause(),
                            o.ackTimeout(), o.retention(), o.enabled()));
        }

        @Bean
        OutboxWriter outboxWriter(JdbcTemplate jdbc, OutboxRelay relay, Clock clock, PlatformProperties props) {
            return new OutboxWriter(jdbc, relay, clock, props.outbox().lanes());
        }
    }

    /**
     * Every topic and its dead-letter topic, with as many partitions (the recoverer keeps the partition). The
     * replication factor is the broker's {@code default.replication.factor}: 3 on a production cluster, 1 embedded.
     */
    @Bean
    KafkaAdmin.NewTopics pipelineTopics(PlatformProperties props) {
        List<NewTopic> topics = new ArrayList<>();
        for (Topic<?> topic : Topics.ALL) {
            Stream.of(topic.name(), topic.deadLetter()).forEach(name ->
                    topics.add(TopicBuilder.name(name).partitions(props.partitions()).build()));
        }
        return new KafkaAdmin.NewTopics(topics.toArray(NewTopic[]::new));
    }

    /**
     * Blocking retries with back-off, then the dead-letter topic: ordering per key is kept (no retry topics on the
     * money paths), and a poison record never blocks its partition for good. Unreadable records skip the retries.
     */
    @Bean
    CommonErrorHandler pipelineErrorHandler(KafkaTemplate<String, String> kafka, PlatformProperties props) {
        DeadLetterPublishingRecoverer deadLetters = new DeadLetterPublishingRecoverer(kafka);
        DefaultErrorHandler handler = new DefaultErrorHandler((record, e) -> {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            log.atError().addKeyValue("service", props.serviceName()).addKeyValue("topic", record.topic())
                    .addKeyValue("partition", record.partition()).addKeyValue("offset", record.offset())
                    .addKeyValue("key", record.key()).addKeyValue("reason", String.valueOf(cause.getMessage()))
                    .log("message.dead-lettered");
            deadLetters.accept(record, e);
        }, backOff(props.retry()));
        handler.addNotRetryableExceptions(UnreadableMessageException.class);
        handler.setBackOffFunction((record, e) -> {
            Throwable t = e;
            while (t != null) {
                if (t instanceof RetryAfter ra) {
                    return new FixedBackOff(Math.max(ra.retryAfter().toMillis(), 10), props.retry().maxAttempts());
                }
                t = t.getCause();
            }
            return null;
        });
        return handler;
    }

    private static ExponentialBackOffWithMaxRetries backOff(PlatformProperties.Retry retry) {
        ExponentialBackOffWithMaxRetries backOff = new ExponentialBackOffWithMaxRetries(retry.maxAttempts() - 1);
        backOff.setInitialInterval(retry.initialInterval().toMillis());
        backOff.setMultiplier(2.0);
        backOff.setMaxInterval(retry.maxInterval().toMillis());
        return backOff;
    }
}
