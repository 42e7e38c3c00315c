package io.kiepipeline.cluster.chaos;

import io.kiepipeline.cluster.ClusterControl;
import io.kiepipeline.cluster.chaos.Plan.Fault;
import io.kiepipeline.cluster.chaos.Plan.Hostile;
import io.kiepipeline.cluster.chaos.Plan.Job;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import tools.jackson.databind.JsonNode;

/**
 * {@code make chaos}: a seeded workload against a cluster of separate processes while faults are injected at seeded
 * times, then an audit of every invariant once the system settles. See docs/operations.md, "The chaos suite".
 *
 * <p>Sized by CHAOS_SEED, CHAOS_JOBS, CHAOS_KILLS, CHAOS_MINUTES and CHAOS_HOSTILE; the cluster by INSTANCES and
 * KAFKA_BROKERS. Exits non-zero on any violation.
 */
public final class ChaosRun {
    /** How a run is sized. */
    public record Settings(long seed, int jobs, int kills, double minutes, int hostile, Duration settle,
                           boolean bringUp, boolean bringDown) {
        public static Settings fromEnvironment(Map<String, String> env) {
            long seed = env.containsKey("CHAOS_SEED") ? Long.parseLong(env.get("CHAOS_SEED"))
                    : System.nanoTime() % 1_000_000;
            int jobs = Integer.parseInt(env.getOrDefault("CHAOS_JOBS", "300"));
            return new Settings(seed, jobs, Integer.parseInt(env.getOrDefault("CHAOS_KILLS", "4")),
                    Double.parseDouble(env.getOrDefault("CHAOS_MINUTES", "3")),
                    Integer.parseInt(env.getOrDefault("CHAOS_HOSTILE", Integer.toString(jobs * 4))),
                    Duration.ofSeconds(Long.parseLong(env.getOrDefault("CHAOS_SETTLE_SECONDS", "300"))), true,
                    !"true".equals(env.get("CHAOS_KEEP_CLUSTER")));
        }
    }

    private final Settings settings;
    private final ClusterControl cluster;
    private final Clients http = new Clients();
    private final List<String> log = new CopyOnWriteArrayList<>();
    private final long started = System.currentTimeMillis();

    // what the run did, for the audit
    final Map<Integer, String> jobIds = new ConcurrentHashMap<>();
    final Map<Integer, String> notAccepted = new ConcurrentHashMap<>();
    final AtomicInteger idempotencyMismatches = new AtomicInteger();
    final Map<String, Long> depositsAccepted = new ConcurrentHashMap<>();
    final List<String> depositsNotAccepted = new CopyOnWriteArrayList<>();
    final List<HostileOutcome> hostileOutcomes = new CopyOnWriteArrayList<>();
    final List<long[]> outages = new CopyOnWriteArrayList<>();
    final List<String> faultsDone = new CopyOnWriteArrayList<>();
    final AtomicLong telegramUpdates = new AtomicLong();
    /**
     * Telegram jobs the user confirmed: the update of the tap on "Confirm" that the emulator took (Telegram has it; the
     * bot must make the job).
     */
    final Map<Integer, Integer> telegramAccepted = new ConcurrentHashMap<>();
    /** Telegram jobs the bot declined before any job, as it should (not enough balance, KIE unavailable), with why. */
    final Map<Integer, String> telegramDeclined = new ConcurrentHashMap<>();
    final AtomicInteger clientErrors = new AtomicInteger();
    long workloadMs;

    record HostileOutcome(Plan.HostileKind kind, long at, int status, String detail) {
    }

    public ChaosRun(Settings settings, ClusterControl cluster) {
        this.settings = settings;
        this.cluster = cluster;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> env = new LinkedHashMap<>(System.getenv());
        Path root = Path.of(env.getOrDefault("PIPELINE_ROOT", ".")).toAbsolutePath().normalize();
        Settings settings = Settings.fromEnvironment(env);
        env.putIfAbsent("CLUSTER_DIR", root.resolve(".data/chaos-" + settings.seed()).toString());
        Report report = new ChaosRun(settings, new ClusterControl(root, chaosEnvironment(env))).run();
        System.out.println(report.render());
        System.exit(report.ok() ? 0 : 1);
    }

    /**
     * The cluster settings of a chaos run: several instances of everything unless INSTANCES says otherwise, and timers
     * short enough that the system settles within minutes of the last fault.
     */
    public static Map<String, String> chaosEnvironment(Map<String, String> given) {
        Map<String, String> env = new LinkedHashMap<>(given);
        env.putIfAbsent("INSTANCES", "gateway=2,orchestrator=2,ledger=2,kie-worker=2,delivery-worker=2,bot=2");
        env.putIfAbsent("KAFKA_BROKERS", "1");
        env.putIfAbsent("CLUSTER_PORT_BASE", "28000");
        env.putIfAbsent("KIE_EMULATOR_DELAY_MS", "1500");
        env.putIfAbsent("KIE_REQUEST_TIMEOUT", "6s");
        env.putIfAbsent("JOB_RECONCILE_AFTER", "15s");
        // an ambiguous submission (KIE's answer lost) ends at the job's deadline: minutes here, not 20
        env.putIfAbsent("JOB_TIMEOUT", "4m");
        // a task whose callback does not come is polled after this (2 minutes by default)
        env.putIfAbsent("KIE_CALLBACK_GRACE", "20s");
        // a deploy's SIGTERM gets 30 s (Kubernetes' default grace period) before SIGKILL
        env.putIfAbsent("STOP_GRACE", "30");
        env.putIfAbsent("SERVICE_HEAP", "256m");
        // the per-user limits and the free tier are measured by their own tests; this workload is many jobs per user
        env.putIfAbsent("USER_MAX_RUNNING_JOBS", "0");
        env.putIfAbsent("USER_REQUESTS_PER_MINUTE", "0");
        env.putIfAbsent("FREE_DAILY_PER_USER", "0");
        env.putIfAbsent("FREE_DAILY_BUDGET", "0");
        return env;
    }

    public Report run() throws Exception {
        try {
            if (settings.bringUp()) {
                // The audit counts what is in the databases and the emulators: a cluster left by an earlier run (the
                // same seed makes the same users and keys) would be audited as this run's, so it starts from nothing.
                cluster.wipe();
                note("cluster up: " + cluster.environment().get("INSTANCES") + ", "
                        + cluster.environment().get("KAFKA_BROKERS") + " broker(s), in " + cluster.dir()
                        + " (wiped first)");
                cluster.up();
            }
            Endpoints ep = Endpoints.of(cluster);
            // Every model on sale whose input has a prompt (the run marks each job in it): API jobs send the model's
            // own example with the marked prompt; Telegram's /generate sends only a prompt, so it uses the models
            // that need nothing else (every other required or priced field has a default).
            List<String> models = new ArrayList<>();
            List<String> imageModels = new ArrayList<>();
            Map<String, Map<String, Object>> examples = new java.util.HashMap<>();
            for (JsonNode m : Clients.list(http.get(ep.gateway(0) + "/api/v1/models", ep.api()).json())) {
                if (!m.path("inputSchema").path("properties").has("prompt")) {
                    continue;
                }
                String id = m.path("id").asString();
                models.add(id);
                @SuppressWarnings("unchecked")
                Map<String, Object> example = Clients.JSON.convertValue(
                        m.path("example"), Map.class);
                examples.put(id, example);
                java.util.Set<String> needed = new java.util.HashSet<>();
                m.path("inputSchema").path("required").forEach(r -> needed.add(r.asString()));
                m.path("pricedBy").forEach(r -> needed.add(r.asString()));
                needed.remove("prompt");
                m.path("defaults").propertyNames().forEach(needed::remove);
                if (!needed.isEmpty()) {
                    imageModels.add(id);
                }
            }
            Collections.sort(models);
            List<String> killable = cluster.names().stream()
                    .filter(n -> !n.equals("postgres") && !n.startsWith("kafka-") && !n.equals("emulators")).toList();
            int brokers = (int) cluster.names().stream().filter(n -> n.startsWith("kafka-")).count();
            Plan plan = Plan.make(settings.seed(), settings.jobs(), settings.kills(), settings.hostile(),
                    (long) (settings.minutes() * 60_000), killable, brokers, models, imageModels);
            note("seed " + settings.seed() + ", plan " + plan.digest() + ": " + plan.jobs().size() + " jobs, "
                    + plan.deposits().size() + " deposits, " + plan.hostile().size() + " hostile requests, "
                    + plan.faults().size() + " faults over " + plan.workloadMs() / 1000 + " s");
            Workload workload = new Workload(this, plan, ep, http, examples);
            workload.prepareKieRules();
            long t0 = System.currentTimeMillis();
            ScheduledExecutorService timer = Executors.newScheduledThreadPool(2);
            ExecutorService senders = Executors.newVirtualThreadPerTaskExecutor();
            for (Plan.Deposit d : plan.deposits()) {
                timer.schedule(() -> senders.submit(guarded("deposit " + d.reference(), () -> workload.deposit(d))),
                        d.atMs(), TimeUnit.MILLISECONDS);
            }
            // jobs start once every user's first deposit was sent
            for (Job j : plan.jobs()) {
                timer.schedule(() -> senders.submit(guarded("job " + j.n(), () -> {
                    try {
                        workload.job(j);
                    } catch (RuntimeException e) {
                        notAccepted.put(j.n(), "the client failed: " + e);
                    }
                })), plan.firstJobAtMs() + j.atMs(), TimeUnit.MILLISECONDS);
            }
            for (Hostile h : plan.hostile()) {
                timer.schedule(() -> senders.submit(guarded("hostile " + h.n(), () -> workload.hostile(h))),
                        h.atMs(), TimeUnit.MILLISECONDS);
            }
            Thread faults = Thread.ofPlatform().name("chaos-faults").start(() -> injectFaults(plan, ep, t0));
            faults.join();
            timer.shutdown();
            timer.awaitTermination(plan.workloadMs() + 60_000, TimeUnit.MILLISECONDS);
            senders.shutdown();
            if (!senders.awaitTermination(5, TimeUnit.MINUTES)) {
                note("some requests were still being retried after 5 minutes");
            }
            workloadMs = System.currentTimeMillis() - t0;
            note("workload sent in " + workloadMs / 1000 + " s; faults over; settling");
            healEverything(ep);
            Audit audit = new Audit(this, plan, ep, http, cluster);
            Report report = audit.settleAndCheck(settings.settle());
            report.log().addAll(0, log);
            return report;
        } finally {
            if (settings.bringDown()) {
                cluster.down();
            }
        }
    }

    /** A workload step whose failure is noted, never lost in an executor. */
    private Runnable guarded(String what, Runnable step) {
        return () -> {
            try {
                step.run();
            } catch (RuntimeException e) {
                clientErrors.incrementAndGet();
                note(what + " failed in the client: " + e);
            }
        };
    }

    private void injectFaults(Plan plan, Endpoints ep, long t0) {
        for (Fault f : plan.faults()) {
            long wait = t0 + f.atMs() - System.currentTimeMillis();
            if (wait > 0) {
                sleep(wait);
            }
            long from = System.currentTimeMillis();
            long back = from;
            try {
                switch (f.kind()) {
                    case KILL_INSTANCE, RESTART_BROKER, RESTART_POSTGRES -> {
                        cluster.kill(f.target());
                        sleep(f.downMs());
                        cluster.start(f.target());
                        back = System.currentTimeMillis();
                    }
                    case KIE_UNREACHABLE -> {
                        http.post(ep.kie() + "/control/unreachable", "{\"seconds\":" + f.downMs() / 1000 + "}");
                        sleep(f.downMs() + 1_000);
                    }
                    case TELEGRAM_UNREACHABLE -> {
                        http.post(ep.telegram() + "/control/unreachable", "{\"seconds\":" + f.downMs() / 1000 + "}");
                        sleep(f.downMs() + 1_000);
                    }
                }
            } catch (RuntimeException e) {
                note("fault " + f + " failed: " + e.getMessage());
            }
            long to = System.currentTimeMillis();
            // A hostile request is answered by the gateway alone (it is refused before anything is published or read),
            // so only a gateway that is down excuses no answer: from its kill until it is healthy again, and a few
            // seconds for clients' connections. No other fault declares an outage.
            if (f.kind() == Plan.FaultKind.KILL_INSTANCE && f.target().startsWith("gateway-")) {
                outages.add(new long[] {from, back + 5_000});
            }
            faultsDone.add(String.format("%6.1f s  %-17s %-18s down %5.1f s", (from - started) / 1000.0, f.kind(),
                    f.target(), (to - from) / 1000.0));
        }
    }

    /** After the last fault: anything not running is started again, and everything must become healthy. */
    private void healEverything(Endpoints ep) {
        for (String name : cluster.names()) {
            try {
                cluster.start(name);
            } catch (RuntimeException e) {
                note("could not start " + name + ": " + e.getMessage());
            }
        }
        cluster.awaitHealthy();
    }

    /** The share of the run's time inside a declared outage. */
    double outageShare(long runMs) {
        return outages.stream().mapToLong(o -> o[1] - o[0]).sum() / (double) Math.max(1, runMs);
    }

    boolean inOutage(long at) {
        for (long[] o : outages) {
            if (at >= o[0] && at <= o[1]) {
                return true;
            }
        }
        return false;
    }

    void note(String line) {
        String s = String.format("[chaos %6.1f s] %s", (System.currentTimeMillis() - started) / 1000.0, line);
        log.add(s);
        System.out.println(s);
    }

    long since() {
        return System.currentTimeMillis();
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    List<String> faultsDone() {
        return faultsDone;
    }

    Settings settings() {
        return settings;
    }
}
