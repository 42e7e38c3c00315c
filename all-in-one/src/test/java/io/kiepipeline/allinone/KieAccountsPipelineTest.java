package io.kiepipeline.allinone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kiepipeline.allinone.EmbeddedPipeline.Service;
import io.kiepipeline.emulators.KieEmulator;
import io.kiepipeline.kieworker.accounts.CreditPoller;
import io.kiepipeline.kieworker.accounts.KieAccounts;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * KIE accounts as KIE runs them: credits spent per task, 402 at zero, 401 for a revoked key, a rate window per key.
 * An account-level refusal pauses intake instead of failing jobs one by one; two keys share the load.
 */
class KieAccountsPipelineTest extends PipelineTest {
    private static final String PAID = "nano-banana-pro";
    private static final String FREE = "google/nano-banana";

    @Test
    void withNoCreditsLeftNewRequestsAreRefusedBeforeAnyHoldAndWaitingJobsGoOnAfterATopUp() {
        long user = aUserWithBalance(100_000);
        String waitingPrompt = aPrompt("a fox waiting for credits");
        // the credit check is held back so that this job is taken before anyone asks KIE for the balance: it meets
        // the empty accounts at createTask, like a job already under way when the money runs out
        CreditPoller poller = pipeline.context(Service.KIE_WORKER).getBean(CreditPoller.class);
        poller.stop();
        kie.setCredits(TestPipeline.KIE_KEY, 0);
        kie.setCredits(TestPipeline.KIE_SECOND_KEY, 0);
        try {
            String waiting = request(user, PAID, waitingPrompt);

            // both keys answer 402: their breakers open, the job keeps its hold and waits, nothing fails
            await().atMost(PATIENCE).until(() -> !kieAdmin().path("available").asBoolean(true));
            JsonNode state = kieAdmin();
            assertThat(state.path("keys")).hasSize(2).allSatisfy(k -> {
                assertThat(k.path("available").asBoolean()).isFalse();
                assertThat(k.path("reason").asString()).startsWith("402");
                assertThat(k.path("credits").asLong()).isZero();
            });
            assertThat(state.toString()).doesNotContain(TestPipeline.KIE_KEY);
            await().atMost(PATIENCE).until(() -> creditsGauge() == 0.0);
            assertThat(api.job(waiting).body().path("status").asString()).isIn("SUBMITTING", "AWAITING_HOLD");
            assertThat(kie.tasksFor(waitingPrompt)).isEmpty();

            String refusedPrompt = aPrompt("a fox refused while KIE is out of credits");
            String refused = request(user, PAID, refusedPrompt);
            JsonNode rejected = awaitStatus(refused, "REJECTED");
            assertThat(rejected.path("failureReason").asString()).isEqualTo("KIE_UNAVAILABLE");
            assertThat(db.count("select count(*) from ledger.hold where job_id = ?::uuid", refused)).isZero();
            assertThat(kie.callsFor(refusedPrompt)).isEmpty();
            assertThat(awaitMessages(user, 1).getFirst().text()).contains("temporarily unavailable")
                    .contains("Nothing was charged");
            assertThat(api.quote(user, PAID, Map.of("prompt", "a fox"), "en").status()).isEqualTo(503);

            kie.setCredits(TestPipeline.KIE_KEY, 5_000);
            poller.start();

            awaitStatus(waiting, "DELIVERED");
            // the ledger's answer and the delivery's reach the orchestrator by two topics, in either order
            await().atMost(PATIENCE).untilAsserted(() ->
                    assertThat(api.job(waiting).body().path("holdState").asString()).isEqualTo("CAPTURED"));
            assertThat(capturesOf(waiting)).isEqualTo(1);
            await().atMost(PATIENCE).until(() -> kieAdmin().path("available").asBoolean(false));
        } finally {
            kie.setCredits(TestPipeline.KIE_KEY, KieEmulator.DEFAULT_CREDITS);
            kie.setCredits(TestPipeline.KIE_SECOND_KEY, KieEmulator.DEFAULT_CREDITS);
            if (!poller.isRunning()) {
                poller.start();
            }
            await().atMost(PATIENCE).until(() -> kieAdmin().path("keys").findValues("available").stream()
                    .allMatch(JsonNode::asBoolean));
        }
    }

    @Test
    void twoKeysShareABurstEachUnderItsOwnWindow() {
        int jobs = 30;
        kie.limitCreateTask(20, Duration.ofSeconds(10));
        try {
            long user = aNewUser();
            String tag = "burst " + UUID.randomUUID();
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < jobs; i++) {
                ids.add(request(user, FREE, tag + " #" + i));
            }

            for (String id : ids) {
                awaitStatus(id, "DELIVERED");
            }
            int first = kie.tasksCreatedWith(TestPipeline.KIE_KEY);
            int second = kie.tasksCreatedWith(TestPipeline.KIE_SECOND_KEY);
            assertThat(first).isPositive();
            assertThat(second).isPositive();
            assertThat(kie.refusedByRateLimit()).as("KIE never answered 429").isZero();
            assertThat(kie.maxInAnyWindow(TestPipeline.KIE_KEY)).isLessThanOrEqualTo(20);
            assertThat(kie.maxInAnyWindow(TestPipeline.KIE_SECOND_KEY)).isLessThanOrEqualTo(20);
            List<KieEmulator.Task> tasks = kie.tasksFor(tag);
            long spread = tasks.stream().mapToLong(KieEmulator.Task::createTime).max().orElseThrow()
                    - tasks.stream().mapToLong(KieEmulator.Task::createTime).min().orElseThrow();
            assertThat(tasks).hasSize(jobs);
            assertThat(spread).as("30 tasks in less than one window: more than one key's limit")
                    .isLessThan(10_000);
        } finally {
            kie.limitCreateTask(0, null);
        }
    }

    private JsonNode kieAdmin() {
        return api.get("/api/v1/admin/kie", TestPipeline.ADMIN_TOKEN).body();
    }

    /** The kie-worker's pipeline.kie.credits gauge of the first key. */
    private double creditsGauge() {
        MeterRegistry meters = pipeline.context(Service.KIE_WORKER).getBean(MeterRegistry.class);
        var gauge = meters.find("pipeline.kie.credits").tag("key", KieAccounts.fingerprint(TestPipeline.KIE_KEY)).gauge();
        return gauge == null ? Double.NaN : gauge.value();
    }
}
