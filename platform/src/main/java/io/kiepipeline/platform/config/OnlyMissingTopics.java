package io.kiepipeline.platform.config;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.core.KafkaAdmin;

/**
 * Which of the service's topics {@link KafkaAdmin} may touch at start: only those that do not exist yet.
 *
 * <p>Left alone, KafkaAdmin adds partitions to an existing topic that has fewer than configured. Every key would then
 * hash to another partition while its older messages still wait in the old one, and a consumer could apply a
 * job's later event before its earlier one: per-key order, which the pipeline relies on, breaks silently during a
 * rolling deploy. So a topic that exists is never changed here; one with fewer partitions than
 * {@code KAFKA_PARTITIONS} is logged with how to grow it safely (docs/operations.md, "Growing partitions").
 */
final class OnlyMissingTopics implements Predicate<NewTopic> {
    private static final Logger log = LoggerFactory.getLogger(OnlyMissingTopics.class);

    private final KafkaAdmin kafkaAdmin;
    private volatile Map<String, TopicDescription> existing;
    private volatile boolean listed;

    OnlyMissingTopics(KafkaAdmin kafkaAdmin) {
        this.kafkaAdmin = kafkaAdmin;
    }

    @Override
    public boolean test(NewTopic topic) {
        Map<String, TopicDescription> known = existing();
        if (known == null) {
            // not known whether it exists: touch nothing rather than risk growing it (the broker's defaults apply)
            return false;
        }
        TopicDescription current = known.get(topic.name());
        if (current == null) {
            return true;
        }
        if (topic.numPartitions() > current.partitions().size()) {
            log.atWarn().addKeyValue("topic", topic.name())
                    .addKeyValue("partitions", current.partitions().size())
                    .addKeyValue("configured", topic.numPartitions())
                    .log("kafka.topic-has-fewer-partitions: kept as it is; growing a topic is a deliberate step"
                            + " (docs/operations.md, Growing partitions)");
        }
        return false;
    }

    /** The topics that exist, listed once; null when Kafka could not say. */
    private synchronized Map<String, TopicDescription> existing() {
        if (listed) {
            return existing;
        }
        listed = true;
        Map<String, TopicDescription> known;
        try (Admin admin = Admin.create(kafkaAdmin.getConfigurationProperties())) {
            Set<String> names = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            known = admin.describeTopics(names).allTopicNames().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.atError().addKeyValue("error", e.toString())
                    .log("kafka.topics-not-listed; none is created or changed at this start");
            return null;
        }
        existing = known;
        return known;
    }
}
