package io.kiepipeline.allinone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kiepipeline.emulators.KieEmulator.Rule;
import io.kiepipeline.schemas.HoldId;
import io.kiepipeline.schemas.Ids;
import io.kiepipeline.schemas.JobId;
import io.kiepipeline.schemas.LedgerCommand.PlaceHold;
import io.kiepipeline.schemas.UserId;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Money is never stuck when a part of the system is away for longer than any retry budget: transient failures are
 * tried until they succeed, and what a lost or late message leaves behind is repaired.
 */
class OutagePipelineTest extends PipelineTest {
    private static final String PAID = "nano-banana-pro";
    private static final long PRICE = 1_500;

    @Test
    void capturesTheHoldOnceTheLedgerIsBackAfterAnOutageLongerThanTheRetryBudget() throws Exception {
        long user = aUserWithBalance(10_000);
        String prompt = aPrompt("a fox painted during a ledger outage");
        kie.addRule(Rule.forPrompt(prompt).taking(1_500));
        String jobId = request(user, PAID, prompt);
        awaitStatus(jobId, "RUNNING");
        int retriesBefore = retryLines();

        try (Connection ledgerAway = lock("ledger.hold")) {
            // KIE finishes; the capture cannot reach the ledger's tables for several times the old six-try budget
            await().atMost(PATIENCE).until(() -> retryLines() - retriesBefore >= 6);
            assertThat(held(user)).as("still held while the ledger is away").isEqualTo(PRICE);
            ledgerAway.rollback();
        }

        await().atMost(PATIENCE).until(() -> capturesOf(jobId) == 1);
        await().atMost(PATIENCE).until(() -> held(user) == 0);
        assertThat(available(user)).isEqualTo(10_000 - PRICE);
        awaitStatus(jobId, "DELIVERED");
        assertThat(LogCapture.lines().stream().filter(l -> l.contains("message.dead-lettered")
                && l.contains(Long.toString(user)))).as("no money command dead-lettered").isEmpty();
    }

    @Test
    void neverCallsKieWhenTheHoldIsPlacedAfterTheJobsDeadline() throws Exception {
        long user = aUserWithBalance(10_000);
        String prompt = aPrompt("a fox whose hold came too late");
        Prometheus before = Prometheus.scrape(pipeline, EmbeddedPipeline.Service.ORCHESTRATOR);
        String jobId;
        try (Connection ledgerAway = lock("ledger.account")) {
            jobId = request(user, PAID, prompt);
            var failed = awaitStatus(jobId, "FAILED");
            assertThat(failed.path("failureReason").asString()).isEqualTo("TIMED_OUT");
            assertThat(db.count("select count(*) from orchestrator.outbox_message where correlation_id = ?"
                    + " and event_type = 'ledger.place-hold.v1'", jobId)).as("PlaceHold sent again while unanswered")
                    .isGreaterThanOrEqualTo(2);
            // (the balance is read from ledger.account, which this test holds: no API read until it lets go)
            ledgerAway.rollback();
        }

        // the ledger places the late hold, then releases it: nothing charged, nothing held, KIE never asked
        String job = jobId;
        await().atMost(PATIENCE).until(() -> db.count("select count(*) from ledger.hold where job_id = ?::uuid"
                + " and status = 'RELEASED'", job) == 1);
        assertThat(available(user)).isEqualTo(10_000);
        assertThat(held(user)).isZero();
        assertThat(kie.callsFor(prompt)).isEmpty();
        assertThat(Prometheus.scrape(pipeline, EmbeddedPipeline.Service.ORCHESTRATOR)
                .sum("pipeline_reconciler_repairs_total", "kind", "place_hold_resent")
                - before.sum("pipeline_reconciler_repairs_total", "kind", "place_hold_resent"))
                .as("the unanswered PlaceHold sent again, counted").isGreaterThanOrEqualTo(1);
    }

    @Test
    void releasesAHoldPlacedForAJobTheOrchestratorDoesNotKnow() {
        long user = aUserWithBalance(5_000);
        JobId unknown = new JobId(UUID.randomUUID());
        HoldId hold = Ids.holdIdForJob(unknown);
        Prometheus before = Prometheus.scrape(pipeline, EmbeddedPipeline.Service.ORCHESTRATOR);

        Topics.publish(pipeline, new PlaceHold(hold, unknown, new UserId(user), 2_000, "RUB"));

        await().atMost(PATIENCE).until(() -> db.count("select count(*) from ledger.hold where hold_id = ?::uuid"
                + " and status = 'RELEASED' and release_reason = 'UNKNOWN_JOB'", hold.toString()) == 1);
        assertThat(available(user)).isEqualTo(5_000);
        assertThat(held(user)).isZero();
        assertThat(Prometheus.scrape(pipeline, EmbeddedPipeline.Service.ORCHESTRATOR)
                .sum("pipeline_reconciler_repairs_total", "kind", "release_unknown_job")
                - before.sum("pipeline_reconciler_repairs_total", "kind", "release_unknown_job")).isEqualTo(1);
    }

    /** Another session takes the table, as a migration or a stuck transaction would; services' statements time out. */
    private Connection lock(String table) throws SQLException {
        Connection c = DriverManager.getConnection(pipeline.jdbcUrl(), "postgres", "");
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            s.execute("lock table " + table + " in access exclusive mode");
        }
        return c;
    }

    private static int retryLines() {
        return (int) LogCapture.lines().stream().filter(l -> l.contains("message.retrying")
                && l.contains("TRANSIENT") && l.contains("ledger.commands")).count();
    }
}
