package io.kiepipeline.allinone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kiepipeline.allinone.EmbeddedPipeline.Service;
import io.kiepipeline.emulators.KieEmulator.Rule;
import io.kiepipeline.emulators.TelegramEmulator.Failure;
import io.kiepipeline.schemas.Headers;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * Each family of meters moves when its event happens, read from the services' Prometheus endpoints as Prometheus
 * reads them (docs/operations.md, Metrics). The pipeline is shared with other tests: every check is a change
 * between two scrapes, never an absolute count.
 */
class MetricsPipelineTest extends PipelineTest {
    private static final String MODEL = "nano-banana-pro";
    private static final long PRICE = 1500;
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void aPaidJobMovesTheJobHoldKieTelegramAndOutboxMeters() {
        Prometheus orchestrator0 = scrape(Service.ORCHESTRATOR);
        Prometheus ledger0 = scrape(Service.LEDGER);
        Prometheus kie0 = scrape(Service.KIE_WORKER);
        Prometheus delivery0 = scrape(Service.DELIVERY_WORKER);
        long user = aUserWithBalance(10_000);
        String prompt = aPrompt("a fox that is counted");
        kie.addRule(Rule.forPrompt(prompt).taking(300));

        String jobId = request(user, MODEL, prompt);
        awaitStatus(jobId, "DELIVERED");
        await().atMost(PATIENCE).until(() -> held(user) == 0);

        awaitIncrease(() -> scrape(Service.ORCHESTRATOR), orchestrator0, 1, "pipeline_jobs_requested_total",
                "model", MODEL, "source", "api");
        awaitIncrease(() -> scrape(Service.ORCHESTRATOR), orchestrator0, 1, "pipeline_jobs_finished_total",
                "model", MODEL, "outcome", "succeeded", "reason", "none");
        Prometheus orchestrator = scrape(Service.ORCHESTRATOR);
        for (String state : new String[] {"awaiting_hold", "submitting", "running", "succeeded"}) {
            assertThat(increase(orchestrator0, orchestrator, "pipeline_job_state_duration_seconds_count",
                    "state", state)).as("time in %s", state).isGreaterThanOrEqualTo(1);
        }
        assertThat(orchestrator.has("pipeline_job_state_duration_seconds_bucket", "state", "running"))
                .as("a histogram: quantiles can be read from it").isTrue();

        awaitIncrease(() -> scrape(Service.LEDGER), ledger0, 1, "pipeline_ledger_holds_total", "event", "captured");
        Prometheus ledger = scrape(Service.LEDGER);
        assertThat(increase(ledger0, ledger, "pipeline_ledger_holds_total", "event", "placed")).isGreaterThanOrEqualTo(1);
        assertThat(increase(ledger0, ledger, "pipeline_ledger_hold_amount_minor_total", "event", "captured",
                "currency", "RUB")).isGreaterThanOrEqualTo(PRICE);
        assertThat(increase(ledger0, ledger, "pipeline_ledger_movement_amount_minor_total", "kind", "deposit"))
                .isGreaterThanOrEqualTo(10_000);

        Prometheus kieWorker = scrape(Service.KIE_WORKER);
        assertThat(increase(kie0, kieWorker, "pipeline_kie_requests_seconds_count", "endpoint", "create_task",
                "family", "market", "status", "200", "code", "200", "transport", "answered")).isGreaterThanOrEqualTo(1);
        assertThat(kieWorker.has("pipeline_kie_credits", "key",
                io.kiepipeline.kieworker.accounts.KieAccounts.fingerprint(TestPipeline.KIE_KEY))).isTrue();
        assertThat(kieWorker.has("pipeline_kie_key_available")).isTrue();

        awaitIncrease(() -> scrape(Service.DELIVERY_WORKER), delivery0, 1, "pipeline_telegram_requests_seconds_count",
                "method", "sendPhoto", "outcome", "sent");

        // every service with a database relays its outbox, and tells its backlog and the oldest row's age
        for (Service s : new Service[] {Service.ORCHESTRATOR, Service.LEDGER, Service.KIE_WORKER,
                Service.DELIVERY_WORKER, Service.BOT}) {
            Prometheus p = scrape(s);
            assertThat(p.has("pipeline_outbox_backlog")).as("%s backlog", s).isTrue();
            assertThat(p.has("pipeline_outbox_oldest_age_seconds")).as("%s oldest age", s).isTrue();
            assertThat(p.has("pipeline_outbox_published_total")).as("%s published", s).isTrue();
        }
        assertThat(increase(orchestrator0, orchestrator, "pipeline_outbox_published_total")).isGreaterThanOrEqualTo(3);
        // consumer lag, from the Kafka clients' own metrics, for each consumer of each service
        assertThat(scrape(Service.LEDGER).has("kafka_consumer_fetch_manager_records_lag_max")).isTrue();
        assertThat(scrape(Service.ORCHESTRATOR).has("kafka_consumer_fetch_manager_records_lag_max")).isTrue();
    }

    @Test
    void failedAndRejectedJobsAreCountedByTheirReasonAndTheirHoldsByWhatBecameOfThem() {
        Prometheus orchestrator0 = scrape(Service.ORCHESTRATOR);
        Prometheus ledger0 = scrape(Service.LEDGER);
        long user = aUserWithBalance(PRICE + 100);
        String failing = aPrompt("a fox that fails, counted");
        kie.addRule(Rule.forPrompt(failing).failing("500", "Internal server error"));

        awaitStatus(request(user, MODEL, failing), "FAILED");
        await().atMost(PATIENCE).until(() -> held(user) == 0);
        awaitIncrease(() -> scrape(Service.ORCHESTRATOR), orchestrator0, 1, "pipeline_jobs_finished_total",
                "model", MODEL, "outcome", "failed", "reason", "task_failed");
        awaitIncrease(() -> scrape(Service.LEDGER), ledger0, 1, "pipeline_ledger_holds_total", "event", "released");

        long poor = aUserWithBalance(PRICE - 1);
        awaitStatus(request(poor, MODEL, aPrompt("a fox too dear, counted")), "REJECTED");
        awaitIncrease(() -> scrape(Service.ORCHESTRATOR), orchestrator0, 1, "pipeline_jobs_finished_total",
                "model", MODEL, "outcome", "rejected", "reason", "insufficient_funds");
        awaitIncrease(() -> scrape(Service.LEDGER), ledger0, 1, "pipeline_ledger_holds_total", "event", "rejected");

        // a model nobody offers is counted, but never becomes a label of its own
        awaitStatus(request(poor, "no-such-model-" + UUID.randomUUID(), aPrompt("x")), "REJECTED");
        awaitIncrease(() -> scrape(Service.ORCHESTRATOR), orchestrator0, 1, "pipeline_jobs_finished_total",
                "model", "unknown", "outcome", "rejected", "reason", "unknown_model");
        assertThat(scrape(Service.ORCHESTRATOR).matching("pipeline_jobs_finished_total"))
                .noneMatch(s -> s.labels().get("model").startsWith("no-such-model"));
    }

    @Test
    void aTaskStillUnfinishedWhenTheLateWatchEndsIsCountedAsAbandoned() {
        // a late watch of seconds instead of a day (the orchestrator's meters start over with the restart)
        restart(Service.ORCHESTRATOR, Map.of("KIE_LATE_WATCH", "2s"));
        try {
            long user = aUserWithBalance(100_000);
            String prompt = aPrompt("a fox KIE never finishes");
            kie.addRule(Rule.forPrompt(prompt).taking(120_000));

            String jobId = request(user, "kling-2.6/text-to-video", Map.of("prompt", prompt),
                    "key-" + UUID.randomUUID());

            assertThat(awaitStatus(jobId, "FAILED").path("failureReason").asString()).isEqualTo("TIMED_OUT");
            await().atMost(PATIENCE).untilAsserted(() -> assertThat(scrape(Service.ORCHESTRATOR)
                    .sum("pipeline_kie_tasks_abandoned_total")).isGreaterThanOrEqualTo(1));
            assertThat(scrape(Service.ORCHESTRATOR).sum("pipeline_jobs_finished_total", "outcome", "failed",
                    "reason", "timed_out")).isGreaterThanOrEqualTo(1);
        } finally {
            restart(Service.ORCHESTRATOR, Map.of());
        }
    }

    @Test
    void aTelegram429IsCountedAsRateLimitedAndTheRetryAsSent() {
        Prometheus delivery0 = scrape(Service.DELIVERY_WORKER);
        long user = aUserWithBalance(10_000);
        telegram.failNext(user, Failure.tooManyRequests(1));

        awaitStatus(request(user, MODEL, aPrompt("a fox sent after a 429")), "DELIVERED");

        awaitIncrease(() -> scrape(Service.DELIVERY_WORKER), delivery0, 1, "pipeline_telegram_requests_seconds_count",
                "method", "sendPhoto", "outcome", "rate_limited");
    }

    @Test
    void aDeadLetterIsCountedByItsTopic() throws Exception {
        Prometheus ledger0 = scrape(Service.LEDGER);
        // every series is there, at 0, before its first dead letter: increase() over it sees the first one
        assertThat(scrape(Service.ORCHESTRATOR).matching("pipeline_messages_dead_lettered_total", "topic",
                "kie-worker.accounts", "kind", "UNKNOWN")).singleElement()
                .satisfies(sample -> assertThat(sample.value()).isZero());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, pipeline.kafkaBootstrapServers(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class))) {
            ProducerRecord<String, String> poison = new ProducerRecord<>("ledger.commands",
                    Long.toString(aNewUser()), "{\"holdId\": \"not a hold id, counted\"}");
            poison.headers().add(Headers.EVENT_ID, UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8));
            poison.headers().add(Headers.EVENT_TYPE, "ledger.place-hold.v1".getBytes(StandardCharsets.UTF_8));
            producer.send(poison).get();
        }

        awaitIncrease(() -> scrape(Service.LEDGER), ledger0, 1, "pipeline_messages_dead_lettered_total",
                "topic", "ledger.commands", "kind", "POISON");
    }

    @Test
    void onTheGatewayOnlyHealthIsPublicAndTheRestOfTheActuatorAsksForTheAdminToken() throws Exception {
        String base = pipeline.gatewayUrl();
        assertThat(get(base + "/actuator/health/liveness", null).statusCode()).isEqualTo(200);
        assertThat(get(base + "/actuator/health/readiness", null).statusCode()).isEqualTo(200);
        for (String path : new String[] {"/actuator/prometheus", "/actuator/metrics", "/actuator", "/actuator/info",
                "/actuator;x=1/prometheus", "//actuator//prometheus", "/actuator/health/../prometheus",
                "/%61ctuator/prometheus", "/ACTUATOR/prometheus"}) {
            HttpResponse<String> r = get(base + path, null);
            assertThat(r.statusCode()).as(path).isIn(400, 401, 404);
            assertThat(r.body()).as(path).doesNotContain("pipeline_").doesNotContain("jvm_");
        }
        assertThat(get(base + "/actuator/prometheus", "wrong-token").statusCode()).isEqualTo(401);
        HttpResponse<String> withToken = get(base + "/actuator/prometheus", TestPipeline.ADMIN_TOKEN);
        assertThat(withToken.statusCode()).isEqualTo(200);
        assertThat(withToken.body()).contains("jvm_memory_used_bytes");
        // the other services are not exposed to the internet: their actuator is open to the cluster's Prometheus
        assertThat(get("http://127.0.0.1:" + pipeline.port(Service.LEDGER) + "/actuator/prometheus", null)
                .statusCode()).isEqualTo(200);
    }

    @Test
    void everyMetricTheServicesExportIsDocumentedAndEveryAlertRuleNamesOnlyExportedMetrics() throws Exception {
        // a job first: some series exist only once their event happened
        awaitStatus(request(aUserWithBalance(10_000), MODEL, aPrompt("a fox for the census")), "DELIVERED");
        Set<String> exported = new TreeSet<>();
        for (Service s : Service.values()) {
            if (pipeline.port(s) > 0) {
                scrape(s).names().stream().filter(n -> n.startsWith("pipeline_")).map(MetricsPipelineTest::family)
                        .forEach(exported::add);
            }
        }
        assertThat(exported).contains("pipeline_jobs_requested_total", "pipeline_ledger_holds_total",
                "pipeline_kie_requests_seconds", "pipeline_outbox_backlog", "pipeline_reconciler_repairs_total");
        String operations = Files.readString(Path.of("..", "docs", "operations.md"));
        for (String name : exported) {
            assertThat(operations).as("docs/operations.md documents %s", name).contains("`" + name);
        }
        String rules = Files.readString(Path.of("..", "deploy", "prometheus", "alerts.yml"));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\b(pipeline_[a-z_]+)").matcher(rules);
        Set<String> named = new TreeSet<>();
        while (m.find()) {
            named.add(m.group(1));
        }
        assertThat(named).isNotEmpty();
        for (String name : named) {
            assertThat(exported).as("the alert rules name %s, which no service exports", name)
                    .contains(family(name));
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyAlertRuleHasASeverityAndARunbookThatExists() throws Exception {
        String operations = Files.readString(Path.of("..", "docs", "operations.md"));
        Map<String, Object> file = new org.yaml.snakeyaml.Yaml().load(
                Files.readString(Path.of("..", "deploy", "prometheus", "alerts.yml")));
        int alerts = 0;
        for (Map<String, Object> group : (java.util.List<Map<String, Object>>) file.get("groups")) {
            for (Map<String, Object> rule : (java.util.List<Map<String, Object>>) group.get("rules")) {
                String alert = (String) rule.get("alert");
                assertThat(alert).isNotBlank();
                assertThat((String) rule.get("expr")).as(alert).isNotBlank();
                assertThat(((Map<String, Object>) rule.get("labels")).get("severity")).as(alert)
                        .isIn("page", "ticket");
                String runbook = (String) ((Map<String, Object>) rule.get("annotations")).get("runbook_url");
                assertThat(runbook).as(alert).isEqualTo("docs/operations.md#alert-" + alert.toLowerCase());
                assertThat(operations).as("the runbook of %s", alert).contains("#### Alert: " + alert + "\n");
                alerts++;
            }
        }
        assertThat(alerts).isGreaterThanOrEqualTo(15);
    }

    /** A histogram's samples (_bucket, _count, _sum, _max) are one family: the name the docs list. */
    private static String family(String sample) {
        for (String suffix : new String[] {"_bucket", "_count", "_sum", "_max"}) {
            if (sample.endsWith("_seconds" + suffix)) {
                return sample.substring(0, sample.length() - suffix.length());
            }
        }
        return sample;
    }

    private HttpResponse<String> get(String url, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).GET();
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private Prometheus scrape(Service service) {
        return Prometheus.scrape(pipeline, service);
    }

    private static double increase(Prometheus before, Prometheus after, String name, String... labels) {
        return after.sum(name, labels) - before.sum(name, labels);
    }

    private static void awaitIncrease(Supplier<Prometheus> now, Prometheus before, double atLeast, String name,
                                      String... labels) {
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(increase(before, now.get(), name, labels))
                .as("%s%s moved", name, java.util.Arrays.toString(labels)).isGreaterThanOrEqualTo(atLeast));
    }
}
