package io.kiepipeline.platform.outbox;

import io.kiepipeline.platform.messaging.Envelopes;
import io.kiepipeline.schemas.Limits;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Header;
import java.sql.Array;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Publishes the outbox to Kafka, at least once, in order per key.
 *
 * <p>Each message sits in one of a fixed number of lanes chosen by its key. A relay run locks the lanes that have work
 * with {@code FOR UPDATE SKIP LOCKED}, so several instances of a service share the lanes and never publish the same
 * lane at once; inside a lane it publishes in id order, waits for the broker's acks, then marks the rows published in
 * the same transaction that held the lane locks. A crash before that commit leaves the rows unpublished: they go out
 * again (consumers dedupe on event-id). A commit in this service wakes the relay at once; the idle poll only serves
 * rows written by another instance, or left behind by a crash.
 */
public class OutboxRelay implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(OutboxRelay.class);

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final KafkaTemplate<String, String> kafka;
    private final Settings settings;
    private final Semaphore wake = new Semaphore(0);
    private final AtomicLong published = new AtomicLong();
    private final AtomicLong parked = new AtomicLong();
    private final AtomicLong backlog = new AtomicLong();
    /** Seconds the oldest unpublished row has waited (0 with none), as of the last sample. */
    private final java.util.concurrent.atomic.AtomicReference<Double> oldestAgeSeconds =
            new java.util.concurrent.atomic.AtomicReference<>(0.0);
    private static final Duration SAMPLE_EVERY = Duration.ofSeconds(5);
    /**
     * What one run reads and sends at most: a backlog of large rows is neither read into memory two thousand at a
     * time nor fills the producer's 32 MiB buffer in one go.
     */
    private static final long MAX_RUN_BYTES = 16L * 1024 * 1024;
    private volatile long lastSample = System.nanoTime() - SAMPLE_EVERY.toNanos();
    /** When the relay last read its backlog (epoch seconds): a relay that stopped, or hangs, stops moving it. */
    private final AtomicLong sampledAt = new AtomicLong();
    private volatile Runnable housekeeping = () -> { };
    private volatile boolean running;
    private final Object stopSignal = new Object();
    private volatile Thread thread;

    /**
     * @param batchSize   the most rows one run publishes
     * @param idlePoll    how long the relay waits for a wake-up before looking anyway
     * @param failurePause how long it waits after a failed run
     * @param ackTimeout  how long it waits for the broker's acks
     * @param retention   how long published rows are kept for inspection before they are purged
     * @param maxRecordBytes the largest record the relay sends (the producer's max.request.size, less headroom); a
     *                    larger one is parked
     */
    public record Settings(String serviceName, int batchSize, Duration idlePoll, Duration failurePause,
                           Duration ackTimeout, Duration retention, boolean enabled, int maxRecordBytes) {
    }

    public OutboxRelay(JdbcTemplate jdbc, TransactionTemplate tx, KafkaTemplate<String, String> kafka,
                       Settings settings) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.kafka = kafka;
        this.settings = settings;
    }

    /** Other periodic clean-up of the service's tables (the inbox's old ids), run by the relay's thread. */
    public void setHousekeeping(Runnable housekeeping) {
        this.housekeeping = housekeeping;
    }

    public void wakeUp() {
        if (wake.availablePermits() == 0) {
            wake.release();
        }
    }

    /**
     * The relay's meters (docs/operations.md, Metrics): {@code pipeline_outbox_published_total},
     * {@code pipeline_outbox_parked_total}, and the backlog sampled every few seconds by the relay's own thread
     * ({@code pipeline_outbox_backlog}, {@code pipeline_outbox_oldest_age_seconds}), so a scrape never queries.
     */
    public void bindTo(io.micrometer.core.instrument.MeterRegistry registry) {
        String service = settings.serviceName();
        io.micrometer.core.instrument.FunctionCounter.builder("pipeline.outbox.published", published,
                        AtomicLong::doubleValue).description("outbox rows published to Kafka")
                .tag("service", service).register(registry);
        io.micrometer.core.instrument.FunctionCounter.builder("pipeline.outbox.parked", parked,
                        AtomicLong::doubleValue).description("outbox rows parked: they can never be published")
                .tag("service", service).register(registry);
        io.micrometer.core.instrument.Gauge.builder("pipeline.outbox.backlog", backlog, AtomicLong::doubleValue)
                .description("outbox rows not published yet (parked ones apart)").tag("service", service)
                .register(registry);
        io.micrometer.core.instrument.Gauge.builder("pipeline.outbox.oldest.age", oldestAgeSeconds,
                        java.util.concurrent.atomic.AtomicReference::get)
                .description("how long the oldest unpublished row has waited").baseUnit("seconds")
                .tag("service", service).register(registry);
        io.micrometer.core.instrument.Gauge.builder("pipeline.outbox.sampled.timestamp", sampledAt,
                        AtomicLong::doubleValue)
                .description("when the relay last read its backlog (epoch seconds): frozen when the relay is stuck")
                .baseUnit("seconds").tag("service", service).register(registry);
    }

    /** The backlog and the oldest unpublished row's age, read now (the relay does it every few seconds). */
    public void sampleBacklog() {
        jdbc.query("""
                select count(*), coalesce(extract(epoch from clock_timestamp() - min(created_at)), 0)
                from outbox_message where published_at is null and parked_at is null""", rs -> {
            backlog.set(rs.getLong(1));
            oldestAgeSeconds.set(Math.max(0, rs.getDouble(2)));
        });
        lastSample = System.nanoTime();
        sampledAt.set(System.currentTimeMillis() / 1000);
    }

    private void sampleBacklogIfDue() {
        if (System.nanoTime() - lastSample < SAMPLE_EVERY.toNanos()) {
            return;
        }
        try {
            sampleBacklog();
        } catch (RuntimeException e) {
            // the database is away: the publishing loop says so; the figures keep their last value
            lastSample = System.nanoTime();
        }
    }

    /** Messages this relay has published since it started. */
    public long publishedCount() {
        return published.get();
    }

    /**
     * Publishes one batch. Returns how many messages went out.
     */
    public int publishOnce() {
        Integer count = tx.execute(status -> {
            // Each run is planned for the table as it is now: a plan the connection cached while the outbox was a few
            // rows (a seq scan) was kept for a backlog of 100,000 after an outage, until autovacuum happened to
            // analyze the table: every batch's update took 180 ms instead of 4 (docs/performance.md).
            jdbc.execute("set local plan_cache_mode = force_custom_plan");
            List<Integer> lanes = jdbc.queryForList("""
                    select l.lane from outbox_lane l
                    where exists (select 1 from outbox_message m
                                  where m.lane = l.lane and m.published_at is null and m.parked_at is null)
                    order by l.lane
                    for update skip locked""", Integer.class);
            if (lanes.isEmpty()) {
                return 0;
            }
            List<Row> rows = jdbc.query(con -> {
                // at most batchSize rows, and no more of them than fit in MAX_RUN_BYTES (the first always does):
                // a backlog of large rows is never read into memory two thousand at a time
                var ps = con.prepareStatement("""
                        select id, event_id, topic, message_key, event_type, payload, correlation_id, causation_id,
                               occurred_at
                        from (select q.*, sum(octet_length(q.payload)) over (order by q.id) as upto
                              from (select m.id, m.event_id, m.topic, m.message_key, m.event_type, m.payload,
                                           m.correlation_id, m.causation_id, m.occurred_at
                                    from outbox_message m
                                    where m.lane = any(?) and m.published_at is null and m.parked_at is null
                                      and not exists (select 1 from outbox_message p
                                                      where p.lane = m.lane and p.message_key = m.message_key
                                                        and p.parked_at is not null and p.published_at is null)
                                    order by m.id
                                    limit ?) q) w
                        where w.upto - octet_length(w.payload) < ?
                        order by w.id""");
                Array array = con.createArrayOf("integer", lanes.toArray());
                ps.setArray(1, array);
                ps.setInt(2, settings.batchSize());
                ps.setLong(3, MAX_RUN_BYTES);
                return ps;
            }, (rs, n) -> new Row(rs.getLong("id"), rs.getObject("event_id", UUID.class), rs.getString("topic"),
                    rs.getString("message_key"), rs.getString("event_type"), rs.getString("payload"),
                    rs.getString("correlation_id"), rs.getString("causation_id"),
                    rs.getTimestamp("occurred_at").toInstant()));
            if (rows.isEmpty()) {
                return 0;
            }
            List<Row> sent = new ArrayList<>(rows.size());
            List<CompletableFuture<?>> acks = new ArrayList<>(rows.size());
            Set<String> parkedKeys = new HashSet<>();
            for (Row row : rows) {
                if (parkedKeys.contains(row.key())) {
                    continue; // an earlier row of this key was parked: the rest of the key waits behind it
                }
                ProducerRecord<String, String> record = Envelopes.record(row.topic(), row.key(), row.type(),
                        row.payload(), row.eventId(), row.correlationId(), row.causationId(), row.occurredAt());
                int size = sizeOf(record);
                if (size > settings.maxRecordBytes()) {
                    park(row, "record of " + size + " bytes is over the " + settings.maxRecordBytes()
                            + "-byte limit the broker takes");
                    parkedKeys.add(row.key());
                    continue;
                }
                CompletableFuture<?> ack;
                try {
                    ack = kafka.send(record);
                } catch (RuntimeException e) {
                    if (!cannotEverBePublished(e)) {
                        throw e;
                    }
                    park(row, e.getClass().getSimpleName() + ": " + e.getMessage());
                    parkedKeys.add(row.key());
                    continue;
                }
                sent.add(row);
                acks.add(ack);
            }
            kafka.flush();
            List<Long> published = new ArrayList<>(sent.size());
            for (int i = 0; i < sent.size(); i++) {
                Row row = sent.get(i);
                try {
                    acks.get(i).get(settings.ackTimeout().toMillis(), TimeUnit.MILLISECONDS);
                    if (parkedKeys.contains(row.key())) {
                        // A row of this key before it was parked when the broker refused it: this one went out
                        // anyway, but stays unpublished behind the parked row, so that the key's rows are marked in
                        // order (consumers dedupe the copy that goes out again once an operator settles the row).
                        continue;
                    }
                    published.add(row.id());
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause() == null ? e : e.getCause();
                    if (!cannotEverBePublished(cause)) {
                        // Roll back: nothing is marked published, so the whole batch goes out again on the next run.
                        throw new OutboxPublishException("broker did not ack the outbox batch", cause);
                    }
                    park(row, cause.getClass().getSimpleName() + ": " + cause.getMessage());
                    parkedKeys.add(row.key());
                } catch (Exception e) {
                    throw new OutboxPublishException("broker did not ack the outbox batch", e);
                }
            }
            if (!published.isEmpty()) {
                Long[] ids = published.toArray(Long[]::new);
                jdbc.update(con -> {
                    var ps = con.prepareStatement("update outbox_message set published_at = now() where id = any(?)");
                    ps.setArray(1, con.createArrayOf("bigint", ids));
                    return ps;
                });
            }
            return published.size();
        });
        int n = count == null ? 0 : count;
        published.addAndGet(n);
        return n;
    }

    /** Rows parked since this relay started. */
    public long parkedCount() {
        return parked.get();
    }

    private void park(Row row, String reason) {
        parked.incrementAndGet();
        jdbc.update("update outbox_message set parked_at = now(), park_reason = ? where id = ?",
                Limits.cap(reason, 1000), row.id());
        log.atError().addKeyValue("service", settings.serviceName()).addKeyValue("outboxId", row.id())
                .addKeyValue("topic", row.topic()).addKeyValue("key", row.key()).addKeyValue("type", row.type())
                .addKeyValue("payloadChars", row.payload().length()).addKeyValue("reason", Limits.cap(reason, 300))
                .log("outbox.message-parked; only its key waits; operator: see docs/operations.md");
    }

    /** Errors no retry can cure: the record itself is wrong for the broker. */
    private static boolean cannotEverBePublished(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof RecordTooLargeException || c instanceof SerializationException
                    || c instanceof InvalidTopicException || c instanceof RecordBatchTooLargeException) {
                return true;
            }
        }
        return false;
    }

    /** What the record weighs on the wire, near enough: key, value and headers. */
    private static int sizeOf(ProducerRecord<String, String> record) {
        int size = 64;
        size += record.key() == null ? 0 : record.key().getBytes(StandardCharsets.UTF_8).length;
        size += record.value() == null ? 0 : record.value().getBytes(StandardCharsets.UTF_8).length;
        for (Header h : record.headers()) {
            size += h.key().length() + (h.value() == null ? 0 : h.value().length) + 8;
        }
        return size;
    }

    /** Deletes rows published longer ago than the retention. */
    public int purgePublished() {
        return jdbc.update("delete from outbox_message where published_at < now() - make_interval(secs => ?)",
                (double) settings.retention().toSeconds());
    }

    private void loop() {
        long lastPurge = System.nanoTime();
        while (running) {
            try {
                sampleBacklogIfDue();
                int n = publishOnce();
                if (n == 0) {
                    wake.tryAcquire(settings.idlePoll().toMillis(), TimeUnit.MILLISECONDS);
                    wake.drainPermits();
                }
                if (System.nanoTime() - lastPurge > Duration.ofMinutes(1).toNanos()) {
                    purgePublished();
                    housekeeping.run();
                    lastPurge = System.nanoTime();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                if (!running) {
                    return;
                }
                log.atWarn().addKeyValue("service", settings.serviceName()).setCause(e)
                        .log("outbox.publish-failed; retrying");
                // a pause before the next try that a stop ends at once; a commit's wake-up does not shorten it
                // (with Kafka away, every commit would otherwise start another failing try)
                synchronized (stopSignal) {
                    try {
                        if (running) {
                            stopSignal.wait(settings.failurePause().toMillis());
                        }
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
        }
    }

    @Override
    public void start() {
        if (!settings.enabled() || running) {
            return;
        }
        running = true;
        thread = Thread.ofPlatform().name(settings.serviceName() + "-outbox-relay").daemon().start(this::loop);
    }

    @Override
    public void stop() {
        running = false;
        synchronized (stopSignal) {
            stopSignal.notifyAll();
        }
        Thread t = thread;
        if (t != null) {
            wakeUp();
            try {
                // a batch in flight gets a few seconds to finish; what it leaves unmarked goes out again later
                t.join(5_000);
                if (t.isAlive()) {
                    t.interrupt();
                    t.join(2_000);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Stop the relay before the Kafka producer and the data source go away. */
    @Override
    public int getPhase() {
        return Integer.MAX_VALUE - 1000;
    }

    private record Row(long id, UUID eventId, String topic, String key, String type, String payload,
                       String correlationId, String causationId, java.time.Instant occurredAt) {
    }

    public static final class OutboxPublishException extends RuntimeException {
        OutboxPublishException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
