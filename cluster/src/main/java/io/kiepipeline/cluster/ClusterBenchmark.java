package io.kiepipeline.cluster;

import io.kiepipeline.cluster.chaos.ChaosRun;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code MODE=cluster make benchmark}: how the cluster scales. Each scenario starts its own cluster, warms it up,
 * sends a burst of jobs through the public API and measures, from the orchestrator's own timestamps, jobs delivered
 * per second (first job created to last delivered) and the time from created to delivered.
 *
 * <ul>
 *   <li>KIE's time dominates: createTask takes 2 s to answer, so a kie-worker (8 calls at once) does at most 4 jobs/s;
 *   1 against 2 kie-workers.</li>
 *   <li>Telegram's time dominates: each send takes 2 s, so a delivery-worker (4 sends at once) does at most 2/s; 1
 *   against 2 delivery-workers. (At 1 s per send, two delivery-workers could do 8/s, more than a cluster of one
 *   orchestrator and one kie-worker passes on 2 cores, which then capped the figure instead.)</li>
 *   <li>Instant emulators, two instances of every service: what the whole cluster does.</li>
 *   <li>Memory: one instance of every service (the script's default heap), 2,000 jobs through them, then each
 *   service's peak resident set against the goal of 384 MiB for a service run alone.</li>
 * </ul>
 * KIE's account limit is raised for the benchmark (it would cap everything at 2 jobs/s); Telegram's are kept.
 */
public final class ClusterBenchmark {
    /** {@code memory}: report each service's peak resident set (meaningful with one instance of each). */
    record Scenario(String name, String instances, Map<String, String> env, int jobs, boolean memory) {
        Scenario(String name, String instances, Map<String, String> env, int jobs) {
            this(name, instances, env, jobs, false);
        }
    }

    record Result(Scenario scenario, double jobsPerSecond, long p50Ms, long p95Ms, int delivered,
                  Map<String, Long> peakMiB) {
    }

    /** Each service run alone must stay under this resident set (issue 10). */
    static final long SERVICE_MEMORY_GOAL_MIB = 384;

    private ClusterBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(System.getenv().getOrDefault("PIPELINE_ROOT", ".")).toAbsolutePath().normalize();
        String one = "gateway=1,orchestrator=1,ledger=1,";
        List<Scenario> scenarios = List.of(
                new Scenario("KIE-bound (createTask 2 s), 1 kie-worker", one + "kie-worker=1,delivery-worker=1",
                        Map.of("KIE_EMULATOR_CREATE_LATENCY_MS", "2000"), 200),
                new Scenario("KIE-bound (createTask 2 s), 2 kie-workers", one + "kie-worker=2,delivery-worker=1",
                        Map.of("KIE_EMULATOR_CREATE_LATENCY_MS", "2000"), 200),
                new Scenario("Telegram-bound (send 2 s), 1 delivery-worker", one + "kie-worker=1,delivery-worker=1",
                        Map.of("TELEGRAM_EMULATOR_SEND_LATENCY_MS", "2000"), 200),
                new Scenario("Telegram-bound (send 2 s), 2 delivery-workers", one + "kie-worker=1,delivery-worker=2",
                        Map.of("TELEGRAM_EMULATOR_SEND_LATENCY_MS", "2000"), 200),
                new Scenario("instant emulators, 2 instances of every service",
                        "gateway=2,orchestrator=2,ledger=2,kie-worker=2,delivery-worker=2", Map.of(), 600),
                new Scenario("memory: 1 instance of every service, default heap",
                        "gateway=1,orchestrator=1,ledger=1,kie-worker=1,delivery-worker=1,bot=1,analytics=1",
                        Map.of("SERVICE_HEAP", "320m", "TELEGRAM_GLOBAL_PER_SECOND", "1000"), 2000, true));
        String only = System.getenv("BENCHMARK_SCENARIOS");
        List<Result> results = new ArrayList<>();
        for (int i = 0; i < scenarios.size(); i++) {
            if (only != null && !only.isBlank() && !List.of(only.split(",")).contains(Integer.toString(i + 1))) {
                continue;
            }
            results.add(run(root, i + 1, scenarios.get(i)));
            System.out.println(table(results));
        }
        System.out.println("\n=== cluster benchmark (" + Runtime.getRuntime().availableProcessors() + " cores) ===");
        System.out.println(table(results));
    }

    static String table(List<Result> results) {
        StringBuilder s = new StringBuilder();
        s.append(String.format("| %-50s | %8s | %10s | %9s | %9s |%n", "scenario", "jobs", "jobs/s", "p50 ms",
                "p95 ms"));
        s.append("|").append("-".repeat(52)).append("|----------|------------|-----------|-----------|\n");
        for (Result r : results) {
            s.append(String.format("| %-50s | %8d | %10.1f | %9d | %9d |%n", r.scenario().name(), r.delivered(),
                    r.jobsPerSecond(), r.p50Ms(), r.p95Ms()));
        }
        for (Result r : results) {
            if (r.peakMiB().isEmpty()) {
                continue;
            }
            s.append(String.format("%npeak resident memory of each service (VmHWM, MiB) after %d jobs, %s;"
                    + " goal <= %d%n", r.delivered(), r.scenario().name(), SERVICE_MEMORY_GOAL_MIB));
            r.peakMiB().forEach((name, mib) -> s.append(String.format("  %-20s %6d  %s%n", name, mib,
                    mib < 0 ? "not measured" : mib <= SERVICE_MEMORY_GOAL_MIB ? "met" : "NOT MET")));
        }
        return s.toString();
    }

    private static Result run(Path root, int n, Scenario scenario) throws Exception {
        Map<String, String> env = new LinkedHashMap<>();
        Path dir = root.resolve(".data/benchmark-cluster-" + n);
        env.put("CLUSTER_DIR", dir.toString());
        env.put("INSTANCES", scenario.instances());
        env.put("CLUSTER_PORT_BASE", "27000");
        env.put("KIE_RATE_LIMIT_REQUESTS", "100000");
        env.put("KIE_EMULATOR_DELAY_MS", "200");
        // the per-user limits and the free tier are measured by their own tests; a benchmark is many jobs per user
        env.put("USER_MAX_RUNNING_JOBS", "0");
        env.put("USER_REQUESTS_PER_MINUTE", "0");
        env.put("FREE_DAILY_PER_USER", "0");
        env.put("FREE_DAILY_BUDGET", "0");

        env.putAll(scenario.env());
        ClusterControl cluster = new ClusterControl(root, ChaosRun.chaosEnvironment(env));
        cluster.wipe();
        System.out.println("[benchmark] " + scenario.name() + ": starting " + scenario.instances());
        cluster.up();
        try {
            String gateway = "http://127.0.0.1:" + cluster.port("gateway-1");
            String token = cluster.secrets().get("API_TOKEN");
            String jdbc = "jdbc:postgresql://127.0.0.1:" + cluster.port("postgres") + "/postgres";
            send(gateway, token, "warm-" + n, 40);
            awaitDelivered(jdbc, "warm-" + n + "-%", 40, Duration.ofMinutes(3));
            send(gateway, token, "bench-" + n, scenario.jobs());
            awaitDelivered(jdbc, "bench-" + n + "-%", scenario.jobs(), Duration.ofMinutes(10));
            Map<String, Long> peaks = scenario.memory() ? cluster.peakResidentMiB() : Map.of(); // before it stops
            return measure(jdbc, scenario, "bench-" + n + "-%", peaks);
        } finally {
            cluster.down();
        }
    }

    private static void send(String gateway, String token, String prefix, int jobs) throws InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        ExecutorService pool = Executors.newFixedThreadPool(16);
        for (int i = 0; i < jobs; i++) {
            int job = i;
            pool.submit((java.util.concurrent.Callable<Void>) () -> {
                HttpRequest request = HttpRequest.newBuilder(URI.create(gateway + "/api/v1/generations"))
                        .header("Authorization", "Bearer " + token).header("Idempotency-Key", prefix + "-" + job)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"userId\":4242,\"chatId\":" + (5_000_000 + job)
                                + ",\"model\":\"google/nano-banana\",\"input\":{\"prompt\":\"benchmark " + job + "\"}}"))
                        .build();
                for (int attempt = 0; attempt < 20; attempt++) {
                    try {
                        if (http.send(request, HttpResponse.BodyHandlers.ofString()).statusCode() == 202) {
                            return null;
                        }
                    } catch (Exception e) {
                        // try again below
                    }
                    Thread.sleep(500);
                }
                return null;
            });
        }
        pool.shutdown();
        pool.awaitTermination(10, TimeUnit.MINUTES);
    }

    private static void awaitDelivered(String jdbc, String keys, int jobs, Duration patience) throws Exception {
        long deadline = System.currentTimeMillis() + patience.toMillis();
        while (System.currentTimeMillis() < deadline) {
            try (Connection c = DriverManager.getConnection(jdbc, "postgres", "");
                 PreparedStatement s = c.prepareStatement("select count(*) from orchestrator.job"
                         + " where idempotency_key like ? and status = 'DELIVERED'")) {
                s.setString(1, keys);
                try (ResultSet r = s.executeQuery()) {
                    r.next();
                    if (r.getInt(1) >= jobs) {
                        return;
                    }
                }
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("not every job was delivered within " + patience);
    }

    private static Result measure(String jdbc, Scenario scenario, String keys, Map<String, Long> peaks)
            throws Exception {
        List<Long> latencies = new ArrayList<>();
        long first = Long.MAX_VALUE;
        long last = 0;
        try (Connection c = DriverManager.getConnection(jdbc, "postgres", "");
             PreparedStatement s = c.prepareStatement("select created_at, delivered_at from orchestrator.job"
                     + " where idempotency_key like ? and status = 'DELIVERED'")) {
            s.setString(1, keys);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    long created = r.getTimestamp(1).getTime();
                    long delivered = r.getTimestamp(2).getTime();
                    first = Math.min(first, created);
                    last = Math.max(last, delivered);
                    latencies.add(delivered - created);
                }
            }
        }
        Collections.sort(latencies);
        double seconds = Math.max(0.001, (last - first) / 1000.0);
        return new Result(scenario, latencies.size() / seconds, latencies.get(latencies.size() / 2),
                latencies.get((int) (latencies.size() * 0.95)), latencies.size(), peaks);
    }
}
