package io.kiepipeline.gateway.telegram;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Chooses the one gateway that long-polls Telegram (a second poller gets 409 Conflict), with Kafka's own group
 * membership as the lease: every gateway joins one consumer group on a topic of a single partition, and the member
 * that holds the partition polls. A gateway that stops leaves the group and another takes over at once; one that dies
 * is dropped after the session timeout (10 s by default) and another takes over then. No other store is needed, and
 * the gateway keeps owning no database.
 */
public class PollerElection implements SmartLifecycle {
    public static final String TOPIC = "gateway.telegram-poller";
    private static final Logger log = LoggerFactory.getLogger(PollerElection.class);

    private final String bootstrapServers;
    private final String group;
    private final Duration sessionTimeout;
    private final Runnable onElected;
    private final Runnable onDeposed;
    private volatile boolean running;
    private volatile boolean leader;
    private volatile boolean abandon;
    private KafkaConsumer<String, String> consumer;
    private Thread thread;

    public PollerElection(String bootstrapServers, String group, Duration sessionTimeout, Runnable onElected,
                          Runnable onDeposed) {
        this.bootstrapServers = bootstrapServers;
        this.group = group;
        this.sessionTimeout = sessionTimeout;
        this.onElected = onElected;
        this.onDeposed = onDeposed;
    }

    public boolean isLeader() {
        return leader;
    }

    @Override
    public synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        abandon = false;
        consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.GROUP_ID_CONFIG, group,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, (int) sessionTimeout.toMillis(),
                ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, (int) Math.max(500, sessionTimeout.toMillis() / 4),
                // the loop polls every half second: one that stops (a hung gateway) gives the lease up this soon
                ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, (int) sessionTimeout.toMillis(),
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class));
        KafkaConsumer<String, String> c = consumer;
        thread = Thread.ofPlatform().name("telegram-poller-election").daemon().start(() -> loop(c));
    }

    private void loop(KafkaConsumer<String, String> c) {
        c.subscribe(List.of(TOPIC), new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                if (!partitions.isEmpty() && !leader) {
                    leader = true;
                    log.atInfo().addKeyValue("group", group).log("telegram.poller-elected; this gateway polls");
                    onElected.run();
                }
            }

            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                depose(partitions, "telegram.poller-deposed");
            }

            @Override
            public void onPartitionsLost(Collection<TopicPartition> partitions) {
                depose(partitions, "telegram.poller-lost; the group moved on without this gateway");
            }
        });
        try {
            while (running) {
                c.poll(Duration.ofMillis(500));
            }
        } catch (WakeupException e) {
            // stopping
        } catch (RuntimeException e) {
            log.atError().setCause(e).log("telegram.poller-election-failed");
        } finally {
            if (!abandon) {
                // leave the group now, so that another gateway takes over without waiting out the session
                if (leader) {
                    leader = false;
                    onDeposed.run();
                }
                c.close(Duration.ofSeconds(5));
            }
        }
    }

    private void depose(Collection<TopicPartition> partitions, String step) {
        if (!partitions.isEmpty() && leader) {
            leader = false;
            log.atInfo().addKeyValue("group", group).log(step);
            onDeposed.run();
        }
    }

    @Override
    public synchronized void stop() {
        if (!running) {
            return;
        }
        running = false;
        consumer.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * As if the process died (tests and chaos drills): the loop stops without leaving the group or stopping the
     * poller, so the group drops this member only when its session times out.
     */
    public void die() {
        abandon = true;
        running = false;
        consumer.wakeup();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Starts after the polling bean it drives, stops before it. */
    @Override
    public int getPhase() {
        return Integer.MAX_VALUE - 2000;
    }
}
