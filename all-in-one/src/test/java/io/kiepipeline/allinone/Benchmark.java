package io.kiepipeline.allinone;

import io.kiepipeline.schemas.Headers;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * {@code make benchmark}: the whole system on this machine against the emulators.
 * <ol>
 *   <li>Outbox latency: for every event on {@code orchestrator.events}, the time from the outbox write
 *       ({@code occurred-at}, taken inside the business transaction) to its receipt by a consumer; so it covers
 *       commit, relay wake-up, publish, broker and consumer fetch.</li>
 *   <li>Throughput: N generation requests (free and paid, mixed) sent by 16 clients; the time until every job is
 *       DELIVERED, and each job's request-to-delivered latency.</li>
 * </ol>
 * Arguments: {@code [jobs (default 400)] [kie task ms (default 200)]}.
 */
public final class Benchmark {
    private Benchmark() {
    }

    public static void main(String[] args) throws Exception {
        int jobs = args.length > 0 ? Integer.parseInt(args[0]) : 400;
        long kieMs = args.length > 1 ? Long.parseLong(args[1]) : 200;
        EmbeddedPipeline.useOneLoggingSetup();
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("io.kiepipeline"))
                .setLevel(ch.qos.logback.classic.Level.WARN);
        Path dir = Files.createTempDirectory("kie-pipeline-bench");
        Map<String, String> env = new HashMap<>();
        env.put("API_TOKEN", TestPipeline.API_TOKEN);
        env.put("ADMIN_TOKEN", TestPipeline.ADMIN_TOKEN);
        env.put("CALLBACK_SECRET", TestPipeline.CALLBACK_SECRET);
        env.put("GATEWAY_PORT", Integer.toString(EmbeddedKafka.freePort()));
        env.put("KIE_RATE_LIMIT_REQUESTS", "100000");
        // the per-user limits and the free tier are measured by their own tests; a benchmark is many jobs per user
        env.put("USER_MAX_RUNNING_JOBS", "0");
        env.put("USER_REQUESTS_PER_MINUTE", "0");
        env.put("FREE_DAILY_PER_USER", "0");
        env.put("FREE_DAILY_BUDGET", "0");

        env.put("TELEGRAM_LONG_POLL_TIMEOUT", "5");
        long bootStart = System.nanoTime();
        try (EmbeddedPipeline p = EmbeddedPipeline.start(new EmbeddedPipeline.Options(dir, env, 0, 0, 0, 0, kieMs,
                false))) {
            double bootSeconds = (System.nanoTime() - bootStart) / 1e9;
            Api api = new Api(p.gatewayUrl());
            Map<String, Long> occurredToReceived = new ConcurrentHashMap<>();
            AtomicBoolean stop = new AtomicBoolean();
            Thread probe = Thread.ofPlatform().start(() -> probe(p, occurredToReceived, stop));

            int users = 50;
            for (int u = 1; u <= users; u++) {
                api.deposit(u, 1_000_000, "bench-" + u);
            }
            waitFor(() -> api.account(users).body().path("availableMinor").asLong() == 1_000_000, 60);
            occurredToReceived.clear();

            ExecutorService clients = Executors.newFixedThreadPool(16);
            Map<String, Long> requestedAt = new ConcurrentHashMap<>();
            long start = System.nanoTime();
            for (int i = 0; i < jobs; i++) {
                int n = i;
                clients.submit(() -> {
                    long user = 1 + n % users;
                    String model = n % 2 == 0 ? "google/nano-banana" : "nano-banana-pro";
                    long t = System.nanoTime();
                    var r = api.requestGeneration("bench-" + n + "-" + UUID.randomUUID(), user, model,
                            Map.of("prompt", "benchmark fox " + n));
                    requestedAt.put(r.body().get("jobId").asString(), t);
                });
            }
            clients.shutdown();
            Db db = new Db(p);
            waitFor(() -> db.count("select count(*) from orchestrator.job where status = 'DELIVERED'") >= jobs, 600);
            double seconds = (System.nanoTime() - start) / 1e9;
            List<Long> endToEnd = new ArrayList<>();
            for (var row : db.rows("select job_id, created_at, delivered_at from orchestrator.job")) {
                Long t = requestedAt.get(row.get("job_id").toString());
                if (t != null) {
                    endToEnd.add(Duration.between(((java.sql.Timestamp) row.get("created_at")).toInstant(),
                            ((java.sql.Timestamp) row.get("delivered_at")).toInstant()).toMillis());
                }
            }
            stop.set(true);
            probe.join();
            System.gc();
            long heapMb = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / (1024 * 1024);
            List<Long> outbox = new ArrayList<>(occurredToReceived.values());
            System.out.printf("%n=== KIE Pipeline benchmark (%d cores, %s) ===%n",
                    Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
            System.out.printf("boot (PostgreSQL + Kafka + 5 services + emulators): %.1f s%n", bootSeconds);
            System.out.printf("jobs: %d (half free, half paid), emulated KIE task time %d ms, 16 clients%n", jobs,
                    kieMs);
            System.out.printf("throughput: %.1f jobs/s (all %d delivered in %.1f s)%n", jobs / seconds, jobs,
                    seconds);
            System.out.printf("job created -> delivered: p50 %d ms, p95 %d ms, p99 %d ms%n", pct(endToEnd, 50),
                    pct(endToEnd, 95), pct(endToEnd, 99));
            System.out.printf("outbox write -> consumer receipt (%d events): p50 %d ms, p95 %d ms, p99 %d ms, "
                    + "max %d ms%n", outbox.size(), pct(outbox, 50), pct(outbox, 95), pct(outbox, 99), pct(outbox, 100));
            System.out.printf("heap used after GC: %d MB (max %d MB)%n", heapMb,
                    Runtime.getRuntime().maxMemory() / (1024 * 1024));
        }
    }

    private static void probe(EmbeddedPipeline p, Map<String, Long> latencies, AtomicBoolean stop) {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, p.kafkaBootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "benchmark-probe",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class))) {
            consumer.subscribe(List.of("orchestrator.events"));
            while (!stop.get()) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> {
                    var h = r.headers().lastHeader(Headers.OCCURRED_AT);
                    if (h != null) {
                        Instant occurred = Instant.parse(new String(h.value(), StandardCharsets.UTF_8));
                        latencies.put(new String(r.headers().lastHeader(Headers.EVENT_ID).value(),
                                StandardCharsets.UTF_8), Duration.between(occurred, Instant.now()).toMillis());
                    }
                });
            }
        }
    }

    private static long pct(List<Long> values, int p) {
        if (values.isEmpty()) {
            return -1;
        }
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(i, sorted.size() - 1)));
    }

    private static void waitFor(java.util.function.BooleanSupplier condition, int seconds) {
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(seconds)).pollInterval(Duration.ofMillis(100))
                .until(condition::getAsBoolean);
    }
}
