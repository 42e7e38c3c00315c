package io.kiepipeline.allinone;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * {@code make benchmark}: the whole system in one JVM on this machine, against emulators that answer at once, on
 * durable PostgreSQL settings; every figure is printed with its ratio to the database's own limit measured in the same
 * run on the same instance (issue 10). It exits by itself.
 * <ol>
 *   <li>Reference: {@code pgbench -N} (simple updates, 8 clients) on the embedded PostgreSQL, or the same workload
 *       over JDBC where pgbench is not installed.</li>
 *   <li>Warm-up: {@code BENCH_WARMUP} jobs sent as the throughput's are, not measured (a service runs warm).</li>
 *   <li>Throughput: {@code BENCH_JOBS} requests (half free, half paid) from 32 clients as fast as they are taken; jobs
 *       delivered per second, and the CPU time per job (this JVM's, the whole machine's).</li>
 *   <li>Added latency (created → delivered, less the emulated KIE task time; the emulated Telegram answers at once)
 *       at 10 jobs/s and at half the throughput measured, each for {@code BENCH_PACED_SECONDS}.</li>
 *   <li>The outbox relay draining a backlog of {@code BENCH_OUTBOX_ROWS} rows, checking each key's order.</li>
 *   <li>The process's resident memory (RSS), sampled throughout.</li>
 * </ol>
 */
public final class Benchmark {
    private static final int USERS = 50;
    private static final Pattern TPS = Pattern.compile("tps = ([0-9.]+) \\(without initial connection time\\)");

    private Benchmark() {
    }

    public static void main(String[] args) throws Exception {
        int code = 0;
        try {
            run();
        } catch (Throwable t) {
            t.printStackTrace();
            code = 1;
        }
        // the services' and clients' threads are not all daemons: the benchmark ends here, whatever still runs
        System.exit(code);
    }

    private static void run() throws Exception {
        int jobs = Integer.parseInt(setting("BENCH_JOBS", "2000"));
        int warmup = Integer.parseInt(setting("BENCH_WARMUP", "1000"));
        long kieMs = Long.parseLong(setting("BENCH_KIE_MS", "0"));
        int pacedSeconds = Integer.parseInt(setting("BENCH_PACED_SECONDS", "30"));
        int outboxRows = Integer.parseInt(setting("BENCH_OUTBOX_ROWS", "100000"));
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
        // Telegram's flood limits are the real ones' (30/s overall): the benchmark's 50 chats are not 50 people
        env.put("TELEGRAM_GLOBAL_PER_SECOND", "1000");
        env.put("TELEGRAM_CHAT_INTERVAL", "0s");
        Rss rss = new Rss();
        long bootStart = System.nanoTime();
        // durable: every commit on disk before it is acknowledged, as in production (issue 10)
        try (EmbeddedPipeline p = EmbeddedPipeline.start(new EmbeddedPipeline.Options(dir, env, 0, 0, 0, 0, kieMs,
                true))) {
            double bootSeconds = (System.nanoTime() - bootStart) / 1e9;
            rss.start();
            Reference reference = reference(p);
            Api api = new Api(p.gatewayUrl());
            for (int u = 1; u <= USERS; u++) {
                api.deposit(u, 1_000_000_000L, "bench-" + u);
            }
            waitFor(() -> api.account(USERS).body().path("availableMinor").asLong() == 1_000_000_000L, 60);
            Db db = new Db(p);

            // BENCH_PARTS: a subset of throughput,paced,outbox while working on one of them (all by default)
            Set<String> parts = Set.of(setting("BENCH_PARTS", "throughput,paced,outbox").split(","));
            // a service runs for days: the pipeline's figures are the warm JVM's, after BENCH_WARMUP jobs that are not
            // measured (the outbox drain alone needs none)
            if (warmup > 0 && (parts.contains("throughput") || parts.contains("paced"))) {
                load(api, db, warmup, 0, 32);
                System.out.printf("warm-up of %d jobs done at %s%n", warmup, java.time.LocalTime.now());
            }
            Load max = parts.contains("throughput") ? load(api, db, jobs, 0, 32) : null;
            // what the load left behind (the analytics' streams catching up, the relays' cleanup, PostgreSQL's
            // autovacuum) is done before a paced load starts: its latency is the steady state's at that rate
            Settle settled = parts.contains("paced") ? settle(180) : null;
            Load slow = parts.contains("paced") ? paced(api, db, 10, pacedSeconds) : null;
            double half = max == null ? 10 : Math.max(1, max.jobsPerSecond() / 2);
            Load halfLoad = parts.contains("paced") ? paced(api, db, half, pacedSeconds) : null;
            Drain drain = parts.contains("outbox") ? drain(p, outboxRows) : null;
            rss.stop();

            System.out.printf("%n=== KIE Pipeline benchmark (%d cores, Java %s, durable PostgreSQL) ===%n",
                    Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
            System.out.printf("boot (PostgreSQL + Kafka + 7 services + emulators): %.1f s%n", bootSeconds);
            System.out.printf("reference: %s: %.0f transactions/s%n", reference.how(), reference.tps());
            System.out.printf("%-58s %12s %12s%n", "figure", "value", "ratio to ref");
            if (max != null) {
                row("throughput, jobs delivered/s (" + jobs + " jobs, 32 clients)", "%.1f", max.jobsPerSecond(),
                        max.jobsPerSecond() / reference.tps(), "goal >= 0.05");
            }
            if (slow != null) {
                row("added latency p50 at 10 jobs/s, ms", "%d", slow.p(50), slow.p(50) / (1000 / reference.tps()), "");
                row("added latency p99 at 10 jobs/s, ms", "%d", slow.p(99), slow.p(99) / (1000 / reference.tps()), "");
                row(String.format("added latency p50 at %.0f jobs/s (half), ms", half), "%d", halfLoad.p(50),
                        halfLoad.p(50) / (1000 / reference.tps()), "goal p50 <= 100 ms");
                row(String.format("added latency p99 at %.0f jobs/s (half), ms", half), "%d", halfLoad.p(99),
                        halfLoad.p(99) / (1000 / reference.tps()), "goal p99 <= 500 ms");
                System.out.printf("  before the paced loads: quiet after %.0f s; the busiest meanwhile: %s%n",
                        settled.seconds(), settled.busiest());
                System.out.printf("  hops, ms, created → submitted / → finished / → delivered: at 10 jobs/s p50 %s, "
                        + "p99 %s; at half p50 %s, p99 %s%n", slow.hops().p(50), slow.hops().p(99),
                        halfLoad.hops().p(50), halfLoad.hops().p(99));
            }
            if (max != null && max.cpu() != null) {
                row("CPU per job, ms: this JVM (services, broker, emulators)", "%.1f", max.cpu().jvmMsPerJob(), 0, "");
                row("CPU per job, ms: the whole machine (with PostgreSQL)", "%.1f", max.cpu().machineMsPerJob(), 0,
                        "");
            }
            if (max != null) {
                row("added latency p50 at full load, ms", "%d", max.p(50), max.p(50) / (1000 / reference.tps()),
                        "(queueing)");
            }
            if (drain != null) {
                row("outbox drain, events/s (" + outboxRows + " rows)", "%.0f", drain.perSecond(),
                        drain.perSecond() / reference.tps(), "goal >= 15000/s; order kept: " + drain.ordered());
            }
            row("resident memory, max MiB (all-in-one)", "%d", rss.maxMib(), 0, "goal <= 1536");
            System.out.printf("(an added latency's ratio is in reference transactions: how many commits of the"
                    + " database's own benchmark fit in it)%n");
        }
    }

    private static void row(String name, String format, double value, double ratio, String note) {
        String v = format.equals("%d") ? String.format("%d", (long) value) : String.format(format, value);
        System.out.printf("%-58s %12s %12s  %s%n", name, v, ratio == 0 ? "" : String.format("%.3f", ratio), note);
    }

    private static void row(String name, String format, long value, double ratio, String note) {
        row(name, format, (double) value, ratio, note);
    }

    /** The database's own limit on this instance, in the same run. */
    record Reference(String how, double tps) {
    }

    static Reference reference(EmbeddedPipeline p) throws Exception {
        String url = p.jdbcUrl();
        try (Connection c = DriverManager.getConnection(url, "postgres", "");
             Statement s = c.createStatement()) {
            s.execute("drop database if exists bench_reference");
            s.execute("create database bench_reference");
        }
        int port = p.postgres() == null ? 5432 : p.postgres().getPort();
        Path pgbench = Path.of("/usr/bin/pgbench");
        if (Files.isExecutable(pgbench)) {
            run(pgbench.toString(), "-i", "-q", "-s", "8", "-h", "127.0.0.1", "-p", Integer.toString(port), "-U",
                    "postgres", "bench_reference");
            String out = run(pgbench.toString(), "-N", "-c", "8", "-j", "2", "-T", "20", "-n", "-h", "127.0.0.1",
                    "-p", Integer.toString(port), "-U", "postgres", "bench_reference");
            Matcher m = TPS.matcher(out);
            if (!m.find()) {
                throw new IllegalStateException("pgbench said: " + out);
            }
            return new Reference("pgbench -N, 8 clients, 20 s, scale 8", Double.parseDouble(m.group(1)));
        }
        return new Reference("pgbench -N's transaction over JDBC, 8 clients, 20 s", jdbcReference(
                url.replaceFirst("/postgres(\\?|$)", "/bench_reference$1")));
    }

    /** pgbench -N's transaction (an update, a select, an insert), over JDBC, where pgbench is not installed. */
    static double jdbcReference(String url) throws Exception {
        try (Connection c = DriverManager.getConnection(url, "postgres", ""); Statement s = c.createStatement()) {
            s.execute("create table accounts (aid int primary key, abalance int not null default 0)");
            s.execute("insert into accounts (aid) select generate_series(1, 800000)");
            s.execute("create table history (aid int, delta int, mtime timestamptz)");
        }
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong done = new AtomicLong();
        ExecutorService clients = Executors.newFixedThreadPool(8);
        for (int i = 0; i < 8; i++) {
            clients.submit(() -> {
                try (Connection c = DriverManager.getConnection(url, "postgres", "")) {
                    c.setAutoCommit(false);
                    PreparedStatement up = c.prepareStatement("update accounts set abalance = abalance + ? where aid = ?");
                    PreparedStatement sel = c.prepareStatement("select abalance from accounts where aid = ?");
                    PreparedStatement ins = c.prepareStatement("insert into history values (?, ?, now())");
                    while (!stop.get()) {
                        int aid = ThreadLocalRandom.current().nextInt(1, 800_001);
                        int delta = ThreadLocalRandom.current().nextInt(-5000, 5001);
                        up.setInt(1, delta);
                        up.setInt(2, aid);
                        up.executeUpdate();
                        sel.setInt(1, aid);
                        sel.executeQuery().close();
                        ins.setInt(1, aid);
                        ins.setInt(2, delta);
                        ins.executeUpdate();
                        c.commit();
                        done.incrementAndGet();
                    }
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
                return null;
            });
        }
        // the clients run for 20 s: a timer ends them, and the benchmark waits for them to finish
        var timer = Executors.newSingleThreadScheduledExecutor();
        timer.schedule(() -> stop.set(true), 20, TimeUnit.SECONDS);
        timer.shutdown();
        clients.shutdown();
        clients.awaitTermination(40, TimeUnit.SECONDS);
        return done.get() / 20.0;
    }

    /** One load's figures: jobs delivered per second, and each job's created → delivered less the KIE time. */
    record Load(double jobsPerSecond, List<Long> addedMs, Cpu cpu, Hops hops) {
        long p(int percentile) {
            return pct(addedMs, percentile);
        }
    }

    /**
     * Where a job's added latency goes, each hop's times in ms: created → submitted (the request through the
     * orchestrator and the kie-worker to KIE's createTask), submitted → finished (KIE's task, its callback or poll, the
     * orchestrator), finished → delivered (the ledger's capture and the delivery-worker's send).
     */
    record Hops(List<Long> toSubmitted, List<Long> toFinished, List<Long> toDelivered) {
        String p(int percentile) {
            return pct(toSubmitted, percentile) + " / " + pct(toFinished, percentile) + " / "
                    + pct(toDelivered, percentile);
        }
    }

    /** {@code count} requests as fast as {@code clients} clients send them. */
    static Load load(Api api, Db db, int count, long kieMs, int clients) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<String> ids = Collections.synchronizedList(new ArrayList<>());
        Cpu.Mark cpu = Cpu.mark();
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            int n = i;
            pool.submit(() -> ids.add(request(api, n)));
        }
        pool.shutdown();
        pool.awaitTermination(10, TimeUnit.MINUTES);
        waitFor(() -> delivered(db, ids) >= count, 900);
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Load(count / seconds, added(db, ids, kieMs), cpu.per(count), hops(db, ids));
    }

    /** Requests at a steady {@code perSecond} for {@code seconds} (an open load: one does not wait for another). */
    static Load paced(Api api, Db db, double perSecond, int seconds) throws Exception {
        int count = (int) Math.max(1, Math.round(perSecond * seconds));
        var timer = Executors.newScheduledThreadPool(8);
        List<String> ids = Collections.synchronizedList(new ArrayList<>());
        long periodNanos = (long) (1e9 / perSecond);
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            int n = 1_000_000 + i;
            timer.schedule(() -> ids.add(request(api, n)), i * periodNanos, TimeUnit.NANOSECONDS);
        }
        timer.shutdown();
        timer.awaitTermination(seconds + 120L, TimeUnit.SECONDS);
        waitFor(() -> delivered(db, ids) >= count, 600);
        return new Load(count / ((System.nanoTime() - start) / 1e9), added(db, ids, 0), null, hops(db, ids));
    }

    private static String request(Api api, int n) {
        long user = 1 + n % USERS;
        String model = n % 2 == 0 ? "google/nano-banana" : "nano-banana-pro";
        var r = api.requestGeneration("bench-" + n + "-" + UUID.randomUUID(), user, model,
                Map.of("prompt", "benchmark fox " + n));
        return r.body().get("jobId").asString();
    }

    private static long delivered(Db db, List<String> ids) {
        return db.count("select count(*) from orchestrator.job where status = 'DELIVERED' and job_id = any(?::uuid[])",
                (Object) ids.toArray(String[]::new));
    }

    private static Hops hops(Db db, List<String> ids) {
        Hops hops = new Hops(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        for (var row : db.rows("select created_at, submitted_at, finished_at, delivered_at from orchestrator.job "
                + "where job_id = any(?::uuid[]) and submitted_at is not null and finished_at is not null",
                (Object) ids.toArray(String[]::new))) {
            Instant created = ((java.sql.Timestamp) row.get("created_at")).toInstant();
            Instant submitted = ((java.sql.Timestamp) row.get("submitted_at")).toInstant();
            Instant finished = ((java.sql.Timestamp) row.get("finished_at")).toInstant();
            Instant delivered = ((java.sql.Timestamp) row.get("delivered_at")).toInstant();
            hops.toSubmitted().add(Duration.between(created, submitted).toMillis());
            hops.toFinished().add(Duration.between(submitted, finished).toMillis());
            hops.toDelivered().add(Duration.between(finished, delivered).toMillis());
        }
        return hops;
    }

    private static List<Long> added(Db db, List<String> ids, long kieMs) {
        List<Long> out = new ArrayList<>();
        for (var row : db.rows("select created_at, delivered_at from orchestrator.job where job_id = any(?::uuid[])",
                (Object) ids.toArray(String[]::new))) {
            out.add(Duration.between(((java.sql.Timestamp) row.get("created_at")).toInstant(),
                    ((java.sql.Timestamp) row.get("delivered_at")).toInstant()).toMillis() - kieMs);
        }
        return out;
    }

    /**
     * CPU time per job: this JVM's (the services, the broker, the emulators, the load) and the whole machine's (with
     * PostgreSQL), in milliseconds. Steadier than a throughput on a shared machine, and what a change to the hot path
     * moves.
     */
    record Cpu(double jvmMsPerJob, double machineMsPerJob) {
        record Mark(long jvmNanos, long machineTicks) {
            Cpu per(int jobs) {
                Mark end = mark();
                // /proc/stat counts in USER_HZ ticks (100 a second on Linux)
                return new Cpu((end.jvmNanos - jvmNanos) / 1e6 / jobs,
                        machineTicks < 0 ? -1 : (end.machineTicks - machineTicks) * 10.0 / jobs);
            }
        }

        static Mark mark() {
            long jvm = ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                    .getOperatingSystemMXBean()).getProcessCpuTime();
            long busy = -1;
            try {
                String[] f = Files.readAllLines(Path.of("/proc/stat")).getFirst().trim().split("\\s+");
                // cpu user nice system idle iowait irq softirq steal: busy is all but idle and iowait
                busy = Long.parseLong(f[1]) + Long.parseLong(f[2]) + Long.parseLong(f[3]) + Long.parseLong(f[6])
                        + Long.parseLong(f[7]) + Long.parseLong(f[8]);
            } catch (IOException | RuntimeException e) {
                // not Linux: the JVM's figure only
            }
            return new Mark(jvm, busy);
        }
    }

    /** How long the machine took to fall quiet, and this JVM's threads that used the most CPU meanwhile. */
    record Settle(double seconds, String busiest) {
    }

    /**
     * Waits until the whole machine (with PostgreSQL) is under a tenth of its CPU for two seconds in a row, at most
     * {@code maxSeconds}; and names this JVM's busiest threads meanwhile, by name without their numbers.
     */
    static Settle settle(int maxSeconds) throws Exception {
        var threads = java.lang.management.ManagementFactory.getThreadMXBean();
        Map<Long, Long> before = new java.util.HashMap<>();
        for (long id : threads.getAllThreadIds()) {
            before.put(id, threads.getThreadCpuTime(id));
        }
        long start = System.nanoTime();
        var quiet = new java.util.concurrent.atomic.AtomicInteger();
        var last = new java.util.concurrent.atomic.AtomicReference<>(Cpu.mark());
        long total = 0;
        try {
            // a sample a second; quiet when two in a row are
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(maxSeconds))
                    .pollDelay(Duration.ofSeconds(1)).pollInterval(Duration.ofSeconds(1)).until(() -> {
                        Cpu.Mark now = Cpu.mark();
                        long ticks = now.machineTicks() - last.get().machineTicks();
                        // 100 ticks a second per core of the machine (/proc/stat's, not this JVM's share of them)
                        boolean calm = last.get().machineTicks() >= 0 && ticks < 0.1 * 100 * machineCores();
                        last.set(now);
                        if (!calm) {
                            quiet.set(0);
                            return false;
                        }
                        return quiet.incrementAndGet() >= 2;
                    });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            // never quiet within maxSeconds: the paced loads are measured anyway, and the time says so
        }
        Map<String, Long> byName = new java.util.TreeMap<>();
        for (long id : threads.getAllThreadIds()) {
            var info = threads.getThreadInfo(id);
            long cpu = threads.getThreadCpuTime(id);
            if (info == null || cpu < 0) {
                continue;
            }
            long used = cpu - before.getOrDefault(id, 0L);
            total += used;
            byName.merge(info.getThreadName().replaceAll("[-#]?\\d+", "").replaceAll("-+$", ""), used, Long::sum);
        }
        long all = Math.max(1, total);
        String busiest = byName.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .limit(6).map(e -> String.format("%s %.0f%%", e.getKey(), 100.0 * e.getValue() / all))
                .collect(java.util.stream.Collectors.joining(", "));
        return new Settle((System.nanoTime() - start) / 1e9, String.format("%.1f s of CPU: %s", total / 1e9, busiest));
    }

    /** The cores /proc/stat counts (its cpuN lines); this JVM's own count where it cannot be read. */
    private static int machineCores() {
        try {
            return (int) Math.max(1, Files.readAllLines(Path.of("/proc/stat")).stream()
                    .filter(l -> l.matches("cpu\\d+ .*")).count());
        } catch (IOException e) {
            return Runtime.getRuntime().availableProcessors();
        }
    }

    /** The outbox relay's drain of a backlog, and whether every key's messages arrived in order. */
    record Drain(double perSecond, boolean ordered) {
    }

    static Drain drain(EmbeddedPipeline p, int rows) throws Exception {
        String topic = "bench.outbox-drain";
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                p.kafkaBootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, 12, (short) 1))).all().get();
        }
        int keys = 1000;
        AtomicLong received = new AtomicLong();
        AtomicBoolean ordered = new AtomicBoolean(true);
        AtomicBoolean stop = new AtomicBoolean();
        Map<String, Integer> last = new ConcurrentHashMap<>();
        Thread reader = Thread.ofPlatform().start(() -> {
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, p.kafkaBootstrapServers(),
                    ConsumerConfig.GROUP_ID_CONFIG, "bench-drain-" + UUID.randomUUID(),
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                    ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000,
                    ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                    ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class))) {
                consumer.subscribe(List.of(topic));
                while (!stop.get()) {
                    for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                        int seq = Integer.parseInt(r.value().replaceAll("\\D", ""));
                        Integer before = last.put(r.key(), seq);
                        if (before != null && before >= seq) {
                            ordered.set(false);
                        }
                        received.incrementAndGet();
                    }
                }
            }
        });
        // the ledger's outbox: rows as its writer makes them (the lane from the key), each key's numbers rising
        StringBuilder lanes = new StringBuilder();
        for (int k = 0; k < keys; k++) {
            String key = "k" + k;
            lanes.append(k == 0 ? "" : ",").append("('").append(key).append("',")
                    .append(Math.floorMod(key.hashCode(), 16)).append(')');
        }
        long start;
        try (Connection c = DriverManager.getConnection(p.jdbcUrl(), "postgres", ""); Statement s = c.createStatement()) {
            s.execute("insert into ledger.outbox_message (event_id, topic, message_key, lane, event_type, payload,"
                    + " occurred_at) select gen_random_uuid(), '" + topic + "', k.key, k.lane, 'bench.drain.v1',"
                    + " '{\"seq\":' || g || '}', now() from generate_series(1, " + (rows / keys) + ") g cross join"
                    + " (values " + lanes + ") k(key, lane) order by g, k.key");
            start = System.nanoTime();
        }
        int expected = (rows / keys) * keys;
        waitFor(() -> received.get() >= expected, 600);
        double seconds = (System.nanoTime() - start) / 1e9;
        stop.set(true);
        reader.join();
        return new Drain(expected / seconds, ordered.get() && last.size() == keys);
    }

    /** The process's resident set, sampled every half second. */
    static final class Rss {
        private final AtomicLong maxKib = new AtomicLong();
        private final java.util.concurrent.ScheduledExecutorService sampler =
                Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().factory());

        void start() {
            sampler.scheduleAtFixedRate(() -> {
                try {
                    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                        if (line.startsWith("VmRSS:")) {
                            maxKib.accumulateAndGet(Long.parseLong(line.replaceAll("\\D", "")), Math::max);
                        }
                    }
                } catch (IOException e) {
                    // not Linux: no figure
                }
            }, 0, 500, TimeUnit.MILLISECONDS);
        }

        void stop() {
            sampler.shutdownNow();
        }

        long maxMib() {
            return maxKib.get() / 1024;
        }
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", command) + ": " + out);
        }
        return out;
    }

    private static String setting(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
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
