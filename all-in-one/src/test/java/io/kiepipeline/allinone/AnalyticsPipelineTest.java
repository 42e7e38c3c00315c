package io.kiepipeline.allinone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kiepipeline.analytics.streams.AnalyticsSettings;
import io.kiepipeline.analytics.streams.AnalyticsTopology;
import io.kiepipeline.emulators.KieEmulator.Rule;
import io.kiepipeline.schemas.AnalyticsViews;
import io.kiepipeline.schemas.AnalyticsViews.ModelMinute;
import io.kiepipeline.schemas.AnalyticsViews.Totals;
import io.kiepipeline.schemas.MessageCodec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyWindowStore;
import org.junit.jupiter.api.Test;

/**
 * The analytics service on the real broker: after a known workload its figures equal what the databases say, and a
 * second application reading the topics from the start arrives at the same figures.
 */
class AnalyticsPipelineTest extends PipelineTest {
    private static final String PAID = "nano-banana-pro";
    private static final String FREE = "google/nano-banana";

    @Test
    void theFiguresEqualTheDatabasesAfterAKnownWorkload() {
        Instant start = Instant.now().truncatedTo(ChronoUnit.MINUTES);
        Totals before = stats(60, null).totals();
        long rich = aUserWithBalance(10_000);
        long poor = aNewUser();
        long free = aNewUser();
        String failing = aPrompt("a fox KIE refuses");
        kie.addRule(Rule.forPrompt(failing).failing("500", "Internal server error"));
        List<String> jobs = new ArrayList<>();
        jobs.add(request(rich, PAID, aPrompt("a counted fox")));
        jobs.add(request(rich, PAID, aPrompt("another counted fox")));
        jobs.add(request(rich, PAID, failing));
        jobs.add(request(poor, PAID, aPrompt("a fox without money")));
        jobs.add(request(free, FREE, aPrompt("a free counted fox")));
        for (String job : jobs) {
            await().atMost(PATIENCE).until(() -> List.of("DELIVERED", "FAILED", "REJECTED")
                    .contains(api.job(job).body().path("status").asString()));
        }
        await().atMost(PATIENCE).until(() -> held(rich) == 0);
        Instant end = Instant.now();
        int minutes = (int) Duration.between(start, end).toMinutes() + 2;

        // per model and minute: requests by creation, ends by when the job ended, exactly as the job table says
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(viewed(stats(minutes, null).minutes(), start, end))
                .isEqualTo(fromTheJobTable(start, end)));
        // per user and day: requests, successes and what the ledger captured
        for (long user : List.of(rich, poor, free)) {
            await().atMost(PATIENCE).untilAsserted(() -> {
                List<AnalyticsViews.UserDay> days = stats(1, user).userDays();
                assertThat(days).hasSize(1);
                AnalyticsViews.UserDay day = days.getFirst();
                assertThat(day.day()).isEqualTo(LocalDate.now(ZoneOffset.UTC));
                assertThat(List.of(day.requests(), day.successes(), day.spendMinor())).as("user %d", user)
                        .isEqualTo(List.of(
                                db.count("select count(*) from orchestrator.job where user_id = ?", user),
                                db.count("select count(*) from orchestrator.job where user_id = ? and status in"
                                        + " ('SUCCEEDED', 'DELIVERED')", user),
                                db.count("select coalesce(sum(amount_minor), 0) from ledger.hold where user_id = ?"
                                        + " and status = 'CAPTURED'", user)));
            });
        }
        assertThat(db.count("select coalesce(sum(amount_minor), 0) from ledger.hold where user_id = ? and status ="
                + " 'CAPTURED'", rich)).as("the workload was paid for").isEqualTo(3000);
        // KIE's cost, as the orchestrator recorded it per job, moved the totals
        long credits = db.count("select coalesce(sum(kie_credits), 0) from orchestrator.job where job_id in ("
                + String.join(",", jobs.stream().map(j -> "'" + j + "'::uuid").toList()) + ")");
        assertThat(credits).isPositive();
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(stats(1, null).totals().kieCredits()
                - (before == null ? 0 : before.kieCredits())).isGreaterThanOrEqualTo(credits));
    }

    @Test
    void replayingTheTopicsFromTheStartGivesTheSameFigures() throws Exception {
        long user = aUserWithBalance(5_000);
        String job = request(user, PAID, aPrompt("a fox counted twice over"));
        awaitStatus(job, "DELIVERED");
        String prefix = "replay-" + UUID.randomUUID().toString().substring(0, 8) + ".";
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                pipeline.kafkaBootstrapServers()))) {
            admin.createTopics(AnalyticsViews.ALL.stream().map(v -> new NewTopic(prefix + v.topic(), 1, (short) 1))
                    .toList()).all().get();
        }
        StreamsBuilder builder = new StreamsBuilder();
        AnalyticsTopology.build(builder, new AnalyticsSettings(null, null, null, null, null),
                v -> prefix + v.topic());
        Path state = Files.createTempDirectory("analytics-replay");
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, prefix + "analytics");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, pipeline.kafkaBootstrapServers());
        props.put(StreamsConfig.STATE_DIR_CONFIG, state.toString());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 200);
        props.put("consumer.auto.offset.reset", "earliest");
        try (KafkaStreams replay = new KafkaStreams(builder.build(), props)) {
            replay.start();
            await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
                assertThat(replay.state()).isEqualTo(KafkaStreams.State.RUNNING);
                AnalyticsViews.Stats live = stats(120, null);
                ReadOnlyKeyValueStore<String, Totals> totals = replay.store(StoreQueryParameters.fromNameAndType(
                        AnalyticsTopology.TOTALS_STORE, QueryableStoreTypes.keyValueStore()));
                assertThat(json(totals.get(AnalyticsTopology.TOTALS_KEY))).isEqualTo(json(live.totals()));
                ReadOnlyWindowStore<String, ModelMinute> minutes = replay.store(StoreQueryParameters.fromNameAndType(
                        AnalyticsTopology.MODEL_MINUTE_STORE, QueryableStoreTypes.windowStore()));
                Map<String, String> replayed = new TreeMap<>();
                try (var it = minutes.fetchAll(live.from(), live.to().minusMillis(1))) {
                    it.forEachRemaining(e -> replayed.put(e.key.key() + "@" + e.key.window().startTime(),
                            json(withoutName(e.value))));
                }
                Map<String, String> shown = new TreeMap<>();
                live.minutes().forEach(m -> shown.put(m.model() + "@" + m.minuteStart(), json(withoutName(m))));
                assertThat(replayed).isEqualTo(shown);
            });
            replay.close(Duration.ofSeconds(10));
        }
    }

    @Test
    void twoInstancesShareTheWorkAndEachAnswersForTheWholeApplication() throws Exception {
        long user = aUserWithBalance(5_000);
        awaitStatus(request(user, PAID, aPrompt("a fox counted by two")), "DELIVERED");
        int first = pipeline.port(EmbeddedPipeline.Service.ANALYTICS);
        int second = EmbeddedKafka.freePort();
        pipeline.restartService(EmbeddedPipeline.Service.ANALYTICS,
                Map.of("ANALYTICS_ADVERTISED_ADDRESS", "127.0.0.1:" + first));
        Map<String, Object> props = new java.util.HashMap<>();
        props.put("KAFKA_BOOTSTRAP_SERVERS", pipeline.kafkaBootstrapServers());
        props.put("spring.config.name", io.kiepipeline.analytics.AnalyticsApplication.CONFIG_NAME);
        props.put("spring.jmx.enabled", "false");
        props.put("MANAGEMENT_PORT", "");
        props.put("server.port", Integer.toString(second));
        props.put("ANALYTICS_STATE_DIR", Files.createTempDirectory("analytics-second").toString());
        props.put("ANALYTICS_ADVERTISED_ADDRESS", "127.0.0.1:" + second);
        org.springframework.core.env.StandardEnvironment env = new org.springframework.core.env.StandardEnvironment();
        env.getPropertySources().addFirst(new org.springframework.core.env.MapPropertySource("second", props));
        try (var twin = new org.springframework.boot.builder.SpringApplicationBuilder(
                io.kiepipeline.analytics.AnalyticsApplication.class).environment(env)
                .bannerMode(org.springframework.boot.Banner.Mode.OFF).registerShutdownHook(false).run()) {
            // each instance holds some of the stores; each asks the other for the rest: the same figures from both
            await().atMost(Duration.ofSeconds(90)).ignoreExceptions().untilAsserted(() -> {
                AnalyticsViews.Stats a = local(first);
                AnalyticsViews.Stats b = local(second);
                assertThat(a.totals()).isNotNull();
                assertThat(json(a.totals())).isEqualTo(json(b.totals()));
                assertThat(json(a.minutes())).isEqualTo(json(b.minutes()));
                assertThat(json(b.totals())).isEqualTo(json(stats(60, null).totals()));
            });
        } finally {
            pipeline.restartService(EmbeddedPipeline.Service.ANALYTICS, Map.of("ANALYTICS_ADVERTISED_ADDRESS", ""));
        }
    }

    /** One instance's answer for the whole application (its own stores and the others'). */
    private static AnalyticsViews.Stats local(int port) throws Exception {
        java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port
                        + "/internal/stats?minutes=60")).timeout(Duration.ofSeconds(10)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return MessageCodec.mapper().readValue(r.body(), AnalyticsViews.Stats.class);
    }

    @Test
    void theStatsAskForTheAdminTokenAndBoundTheirParameters() {
        assertThat(api.get("/api/v1/admin/stats", TestPipeline.API_TOKEN).status()).isEqualTo(401);
        assertThat(api.get("/api/v1/admin/stats", null).status()).isEqualTo(401);
        for (String bad : List.of("minutes=0", "minutes=1441", "minutes=abc", "days=91", "userId=-1", "userId=x")) {
            Api.Response r = api.get("/api/v1/admin/stats?" + bad, TestPipeline.ADMIN_TOKEN);
            assertThat(r.status()).as(bad).isEqualTo(400);
            assertThat(r.body().path("error").asString()).as(bad).isEqualTo("invalid_request");
        }
        Api.Response overflow = api.get("/api/v1/admin/stats?userId=99999999999999999999999", TestPipeline.ADMIN_TOKEN);
        assertThat(overflow.body().path("message").asString()).isEqualTo("userId must be a whole number within range");
    }

    private AnalyticsViews.Stats stats(int minutes, Long user) {
        Api.Response r = api.get("/api/v1/admin/stats?minutes=" + minutes + (user == null ? "" : "&userId=" + user),
                TestPipeline.ADMIN_TOKEN);
        assertThat(r.status()).as("stats: %s", r.body()).isEqualTo(200);
        return MessageCodec.mapper().treeToValue(r.body(), AnalyticsViews.Stats.class);
    }

    /** model@minute → [requests, successes, failures, rejections], for the minutes in [start, end]. */
    private static Map<String, List<Long>> viewed(List<ModelMinute> rows, Instant start, Instant end) {
        Map<String, List<Long>> out = new TreeMap<>();
        for (ModelMinute m : rows) {
            List<Long> figures = List.of(m.requests(), m.successes(), m.failures(), m.rejections());
            // requests for models that do not exist count under one key, with those the database refused to store
            // (no job row): other tests send them, and no row can be compared
            if (!m.minuteStart().isBefore(start) && !m.minuteStart().isAfter(end) && !"(unknown)".equals(m.model())
                    && figures.stream().anyMatch(n -> n > 0)) {
                out.put(m.model() + "@" + m.minuteStart(), figures);
            }
        }
        return out;
    }

    private Map<String, List<Long>> fromTheJobTable(Instant start, Instant end) {
        Map<String, long[]> counts = new TreeMap<>();
        for (Map<String, Object> row : db.rows("select model, status, created_at, finished_at from orchestrator.job"
                + " where (created_at >= ? or finished_at >= ?) and coalesce(reason, '') <> 'UNKNOWN_MODEL'",
                java.sql.Timestamp.from(start), java.sql.Timestamp.from(start))) {
            String model = (String) row.get("model");
            Instant created = ((java.sql.Timestamp) row.get("created_at")).toInstant();
            if (!created.isBefore(start)) {
                counts.computeIfAbsent(key(model, created), k -> new long[4])[0]++;
            }
            Object finishedAt = row.get("finished_at");
            if (finishedAt != null) {
                Instant finished = ((java.sql.Timestamp) finishedAt).toInstant();
                int i = switch ((String) row.get("status")) {
                    case "SUCCEEDED", "DELIVERED" -> 1;
                    case "FAILED" -> 2;
                    case "REJECTED" -> 3;
                    default -> -1;
                };
                if (i > 0 && !finished.isBefore(start)) {
                    counts.computeIfAbsent(key(model, finished), k -> new long[4])[i]++;
                }
            }
        }
        Map<String, List<Long>> out = new TreeMap<>();
        counts.forEach((k, v) -> {
            Instant minute = Instant.parse(k.substring(k.lastIndexOf('@') + 1));
            if (!minute.isAfter(end)) {
                out.put(k, List.of(v[0], v[1], v[2], v[3]));
            }
        });
        return out;
    }

    private static String key(String model, Instant at) {
        return model + "@" + at.truncatedTo(ChronoUnit.MINUTES);
    }

    private static ModelMinute withoutName(ModelMinute m) {
        return new ModelMinute(null, null, m.requests(), m.successes(), m.failures(), m.rejections(),
                m.lateResults(), m.revenueMinor(), m.currency(), m.kieCredits(), m.timeToResult());
    }

    private static String json(Object o) {
        return o == null ? "null" : MessageCodec.mapper().writeValueAsString(o);
    }

}
