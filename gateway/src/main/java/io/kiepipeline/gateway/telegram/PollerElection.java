package io.kiepipeline.gateway.telegram;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
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
 *
 * <p>Holding the partition is not enough to poll safely: a leader whose heartbeats stalled (a long pause, a starved
 * CPU) may be dropped by the group while it still believes it leads, and the new leader's first getUpdates would
 * end the old leader's long poll with 409 Conflict. So the leader also holds a <em>lease</em> it proves every second
 * by committing the partition's offset, which the group accepts only from its current member; a proof sent at time
 * {@code s} lets it poll until {@code s + session/2}. Each long poll is cut to end, with a second to spare, before
 * the lease runs out ({@link #longPollSeconds}), and none starts without a lease. A leader cut off from the group
 * thus stops polling before the group can hand the partition to anyone else.
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
    private final Object lease = new Object();
    private boolean leased;
    private long leaseEnds;
    private long lastProof;
    private boolean proofFailing;
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

    /**
     * How long the next long poll may wait, in whole seconds: at most {@code configured}, and short enough to end a
     * second before the lease does. Blocks (on the caller's thread, Telegram's polling thread) until this gateway
     * holds a lease with at least that second left; an interrupt (the polling stopped) ends the wait.
     */
    public int longPollSeconds(int configured) throws InterruptedException {
        synchronized (lease) {
            while (true) {
                if (leased) {
                    long usable = (leaseEnds - System.nanoTime() - Duration.ofSeconds(1).toNanos()) / 1_000_000_000L;
                    if (usable >= 1) {
                        return (int) Math.min(configured, usable);
                    }
                }
                lease.wait(250);
            }
        }
    }

    /** The lease left now: zero when this gateway holds none. */
    public Duration leaseLeft() {
        synchronized (lease) {
            return leased ? Duration.ofNanos(Math.max(0, leaseEnds - System.nanoTime())) : Duration.ZERO;
        }
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
                    lastProof = System.nanoTime() - Duration.ofSeconds(2).toNanos(); // prove it at once
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
                if (leader) {
                    proveLease(c);
                }
            }
        } catch (WakeupException | InterruptException e) {
            // stopping
        } catch (RuntimeException e) {
            log.atError().setCause(e).log("telegram.poller-election-failed");
        } finally {
            if (!abandon) {
                // leave the group now, so that another gateway takes over without waiting out the session
                if (leader) {
                    endLease();
                    leader = false;
                    onDeposed.run();
                }
                c.close(Duration.ofSeconds(5));
            }
        }
    }

    /** Once a second: commit the partition's offset, which only the group's current member may do. */
    private void proveLease(KafkaConsumer<String, String> c) {
        long sent = System.nanoTime();
        if (sent - lastProof < Duration.ofSeconds(1).toNanos()) {
            return;
        }
        lastProof = sent;
        try {
            c.commitSync(Map.of(new TopicPartition(TOPIC, 0), new OffsetAndMetadata(0)), Duration.ofSeconds(2));
            synchronized (lease) {
                if (leader) {
                    leased = true;
                    leaseEnds = sent + sessionTimeout.toNanos() / 2;
                    lease.notifyAll();
                }
            }
            if (proofFailing) {
                proofFailing = false;
                log.atInfo().addKeyValue("group", group).log("telegram.poller-lease-proven");
            }
        } catch (WakeupException | InterruptException e) {
            throw e;
        } catch (KafkaException e) {
            // a rebalance under way, a member the group dropped, a broker away: the lease runs out, polls pause
            if (!proofFailing) {
                proofFailing = true;
                log.atWarn().addKeyValue("group", group).addKeyValue("reason", e.toString())
                        .log("telegram.poller-lease-unproven; long polls pause when the lease runs out");
            }
        }
    }

    private void endLease() {
        synchronized (lease) {
            leased = false;
        }
    }

    private void depose(Collection<TopicPartition> partitions, String step) {
        if (!partitions.isEmpty() && leader) {
            endLease();
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
