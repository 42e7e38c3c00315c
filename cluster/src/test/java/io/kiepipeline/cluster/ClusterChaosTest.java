package io.kiepipeline.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kiepipeline.cluster.chaos.ChaosRun;
import io.kiepipeline.cluster.chaos.Report;
import java.io.IOException;
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
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The cluster mode as operators run it: every service instance its own OS process started from its jar by
 * {@code scripts/cluster}, PostgreSQL's own server, a KRaft broker, the emulators. One cluster serves the tests in
 * order, then the short chaos run kills and restarts its processes and audits the money.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterChaosTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Duration PATIENCE = Duration.ofMinutes(3);
    private final HttpClient http = HttpClient.newHttpClient();
    private ClusterControl cluster;
    private Map<String, String> secrets;
    private String jdbc;
    private String kie;
    private String telegram;

    @BeforeAll
    void up() throws IOException {
        Path dir = ROOT.resolve("cluster/target/cluster-test");
        Map<String, String> env = new LinkedHashMap<>();
        env.put("CLUSTER_DIR", dir.toString());
        // no analytics process here: two cores are already shared by eleven JVMs (it reads the topics only; its
        // figures are checked against the databases by AnalyticsPipelineTest, and it runs in `make chaos`)
        env.put("INSTANCES", "gateway=2,orchestrator=1,ledger=2,kie-worker=2,delivery-worker=2,analytics=0");
        env.put("CLUSTER_PORT_BASE", "29000");
        // a lost createTask answer ends at the job's deadline: short enough for the chaos run to settle in the suite
        env.put("JOB_TIMEOUT", "90s");
        // eleven JVMs starting at once on two cores: the client compiler only, which starts them in about 60 % of the
        // time (every start and restart here); the few hundred jobs of the suite never need the server compiler
        env.put("SERVICE_JAVA_OPTS", "-XX:TieredStopAtLevel=1");
        cluster = new ClusterControl(ROOT, ChaosRun.chaosEnvironment(env));
        cluster.wipe();
        cluster.up();
        secrets = cluster.secrets();
        jdbc = "jdbc:postgresql://127.0.0.1:" + cluster.port("postgres") + "/postgres";
        kie = "http://127.0.0.1:" + cluster.port("emulators");
        telegram = "http://127.0.0.1:" + (cluster.port("emulators") + 1);
    }

    @AfterAll
    void down() {
        if (cluster != null) {
            cluster.down();
        }
    }

    @Test
    @Order(1)
    void exactlyOneGatewayPollsTelegramAndAnotherTakesOverWhenItIsKilled() throws Exception {
        String poller = await().atMost(PATIENCE).until(this::pollingGateway, p -> p != null);

        cluster.kill(poller);
        long user = 7_100_001;
        post(telegram + "/control/updates", "{\"userId\":" + user + ",\"text\":\"/balance\"}");

        // the session timeout (10 s) plus a rebalance: well within 30 s
        await().atMost(Duration.ofSeconds(30)).until(() -> get(telegram + "/control/sent?chatId=" + user)
                .contains("Balance"));
        String other = poller.equals("gateway-1") ? "gateway-2" : "gateway-1";
        // the killed one never logged its end; the other now says it polls
        assertThat(gatewaysPollingNow()).contains(other);
        cluster.start(poller);
        for (String gateway : List.of("gateway-1", "gateway-2")) {
            assertThat(logLines(gateway).filter(l -> l.contains("Conflict")).toList()).as(gateway).isEmpty();
        }
    }

    @Test
    @Order(2)
    void kieSeesAtMostTwentyNewTasksInAnyTenSecondsFromTwoWorkersAndEveryJobSucceeds() throws Exception {
        long user = 7_100_002;
        List<String> jobs = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            jobs.add(generation(user, 9_100_000 + i, "google/nano-banana", "burst " + i, "burst-" + i));
        }

        await().atMost(PATIENCE).pollInterval(Duration.ofSeconds(2)).until(() -> count(
                "select count(*) from orchestrator.job where user_id = ? and status = 'DELIVERED'", user) == 100);
        String rate = get(kie + "/control/rate");
        assertThat(number(rate, "maxInAnyWindow")).isBetween(1L, 20L);
        assertThat(number(rate, "refused")).as("createTask calls refused with 429").isZero();
        assertThat(logLines("kie-worker-1").filter(l -> l.contains("kie.create-task.request")).count()).isPositive();
        assertThat(logLines("kie-worker-2").filter(l -> l.contains("kie.create-task.request")).count()).isPositive();
    }

    @Test
    @Order(3)
    void aLedgerInstanceKilledInTheMiddleOfCapturesAppliesEachCaptureOnce() throws Exception {
        long user = 7_100_003;
        postAdmin("/api/v1/admin/deposits", "{\"userId\":" + user + ",\"amountMinor\":1000000,\"reference\":\"kill-ledger\"}");
        await().atMost(PATIENCE).until(() -> count("select count(*) from ledger.account where user_id = ?", user) == 1);
        int jobs = 40;
        for (int i = 0; i < jobs; i++) {
            generation(user, 9_200_000 + i, "nano-banana-pro", "capture " + i, "capture-" + i);
        }
        await().atMost(PATIENCE).until(() -> count("select count(*) from ledger.hold where user_id = ? and status ="
                + " 'CAPTURED'", user) >= 5);
        String owner = Stream.of("ledger-1", "ledger-2")
                .filter(l -> logLines(l).anyMatch(line -> line.contains("hold.captured")
                        && line.contains(Long.toString(user))))
                .reduce((a, b) -> b).orElseThrow();
        cluster.kill(owner);
        long capturedAtTheKill = count("select count(*) from ledger.hold where user_id = ? and status = 'CAPTURED'",
                user);
        assertThat(capturedAtTheKill).as("captures still to come when the ledger died").isLessThan(jobs);

        // the killed instance's partitions wait for its session to expire (10 s), then its twin applies them
        await().atMost(PATIENCE).pollInterval(Duration.ofSeconds(2)).until(() -> count(
                "select count(*) from ledger.hold where user_id = ? and status = 'CAPTURED'", user) == jobs);
        // the last captures' results are still on their way to the chat
        await().atMost(PATIENCE).pollInterval(Duration.ofSeconds(2)).until(() -> count(
                "select count(*) from orchestrator.job where user_id = ? and status = 'DELIVERED'", user) == jobs);
        cluster.start(owner);
        assertThat(count("select captured_minor from ledger.account where user_id = ?", user)).isEqualTo(jobs * 1500L);
        assertThat(count("select count(*) from ledger.ledger_transaction where user_id = ? and kind = 'CAPTURE'",
                user)).isEqualTo(jobs);
        assertThat(count("select available_minor + held_minor + captured_minor - deposited_minor + debited_minor"
                + " from ledger.account"
                + " where user_id = ?", user)).isZero();
        assertThat(count("select coalesce(sum(amount_minor), 0) from ledger.journal_entry")).isZero();
    }

    @Test
    @Order(4)
    void instancesStoppedByADeployExitWithinTheirGracePeriodAndLoseNoJob() throws Exception {
        long user = 7_100_004;
        postAdmin("/api/v1/admin/deposits", "{\"userId\":" + user + ",\"amountMinor\":1000000,\"reference\":\"deploy\"}");
        int jobs = 30;
        for (int i = 0; i < jobs; i++) {
            generation(user, 9_300_000 + i, i % 2 == 0 ? "nano-banana-pro" : "google/nano-banana", "deploy " + i,
                    "deploy-" + i);
        }
        await().atMost(PATIENCE).until(() -> count("select count(*) from orchestrator.job where user_id = ? and status"
                + " = 'DELIVERED'", user) >= 3);

        assertThat(count("select count(*) from orchestrator.job where user_id = ? and status = 'DELIVERED'", user))
                .as("jobs still in flight when the deploy begins").isLessThan(jobs);
        for (String instance : List.of("kie-worker-1", "delivery-worker-2", "ledger-1")) {
            long started = System.nanoTime();
            String said = cluster.stop(instance);
            long seconds = (System.nanoTime() - started) / 1_000_000_000;
            assertThat(said).as(instance).doesNotContain("did not stop");
            assertThat(seconds).as(instance + " stopped in s").isLessThan(30);
        }

        await().atMost(PATIENCE).pollInterval(Duration.ofSeconds(2)).until(() -> count(
                "select count(*) from orchestrator.job where user_id = ? and status = 'DELIVERED'", user) == jobs);
        for (String instance : List.of("kie-worker-1", "delivery-worker-2", "ledger-1")) {
            cluster.start(instance);
        }
        // a result may reach the chat before its capture (the delivery waits for it 3 s at most): wait for them
        await().atMost(PATIENCE).pollInterval(Duration.ofSeconds(2)).until(() -> count(
                "select count(*) from ledger.hold where user_id = ? and status = 'CAPTURED'", user) == jobs / 2);
    }

    @Test
    @Order(5)
    void readinessFollowsTheDatabaseAndKafkaWhileLivenessStaysUp() throws Exception {
        String ledger = "http://127.0.0.1:" + cluster.port("ledger-1") + "/actuator/health/";
        String gateway = "http://127.0.0.1:" + cluster.port("gateway-1") + "/actuator/health/";
        assertThat(probe(ledger + "readiness")).isEqualTo(200);

        cluster.stop("postgres");
        try {
            await().atMost(PATIENCE).until(() -> probe(ledger + "readiness") != 200);
            assertThat(probe(ledger + "liveness")).as("alive: nothing to restart").isEqualTo(200);
            assertThat(probe(gateway + "readiness")).as("the gateway has no database").isEqualTo(200);
        } finally {
            cluster.start("postgres");
        }
        await().atMost(PATIENCE).until(() -> probe(ledger + "readiness") == 200);

        cluster.kill("kafka-1");
        try {
            await().atMost(PATIENCE).until(() -> probe(ledger + "readiness") != 200
                    && probe(gateway + "readiness") != 200);
            assertThat(probe(ledger + "liveness")).isEqualTo(200);
            assertThat(probe(gateway + "liveness")).isEqualTo(200);
        } finally {
            cluster.start("kafka-1");
        }
        await().atMost(PATIENCE).until(() -> probe(ledger + "readiness") == 200
                && probe(gateway + "readiness") == 200);
        cluster.awaitHealthy();
    }

    /** A probe's status as a kubelet sees it: no answer within 5 s is a failure (-1). */
    private int probe(String url) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).GET().build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    @Test
    @Order(6)
    void theShortChaosRunLosesAndDoublesNoMoney() throws Exception {
        ChaosRun.Settings settings = new ChaosRun.Settings(20261128, 150, 3, 1.5, 600, Duration.ofMinutes(4), false,
                false);

        Report report = new ChaosRun(settings, cluster).run();

        System.out.println(report.render());
        assertThat(report.violations()).isEmpty();
    }

    /** The one gateway whose latest election event says it polls (gateways starting together may hand over once). */
    private String pollingGateway() {
        List<String> polling = gatewaysPollingNow();
        return polling.size() == 1 ? polling.getFirst() : null;
    }

    private List<String> gatewaysPollingNow() {
        return Stream.of("gateway-1", "gateway-2").filter(g -> logLines(g)
                .filter(l -> l.contains("telegram.poller-"))
                .reduce((a, b) -> b).map(l -> l.contains("telegram.poller-elected")).orElse(false)).toList();
    }

    private Stream<String> logLines(String name) {
        try {
            return Files.readAllLines(cluster.log(name)).stream();
        } catch (IOException e) {
            return Stream.empty();
        }
    }

    private String generation(long user, long chat, String model, String prompt, String key) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(gateway() + "/api/v1/generations"))
                .header("Authorization", "Bearer " + secrets.get("API_TOKEN")).header("Idempotency-Key", key)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"userId\":" + user + ",\"chatId\":" + chat
                        + ",\"model\":\"" + model + "\",\"input\":{\"prompt\":\"" + prompt + "\"}}")).build();
        HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        return r.body();
    }

    private void postAdmin(String path, String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(gateway() + path))
                .header("Authorization", "Bearer " + secrets.get("ADMIN_TOKEN"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
        assertThat(http.send(request, HttpResponse.BodyHandlers.ofString()).statusCode()).isBetween(200, 299);
    }

    private String gateway() {
        return "http://127.0.0.1:" + cluster.port("gateway-1");
    }

    private void post(String url, String body) throws Exception {
        http.send(HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private String get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private static long number(String json, String field) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"" + field + "\":(-?\\d+)").matcher(json);
        assertThat(m.find()).as(field + " in " + json).isTrue();
        return Long.parseLong(m.group(1));
    }

    private long count(String sql, Object... args) throws SQLException {
        try (Connection c = DriverManager.getConnection(jdbc, "postgres", "");
             PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                s.setObject(i + 1, args[i]);
            }
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? r.getLong(1) : 0;
            }
        }
    }
}
