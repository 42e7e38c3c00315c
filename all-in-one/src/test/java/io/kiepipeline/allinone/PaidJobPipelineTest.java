package io.kiepipeline.allinone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kiepipeline.emulators.KieEmulator.Answer;
import io.kiepipeline.emulators.KieEmulator.Rule;
import java.sql.Timestamp;
import org.junit.jupiter.api.Test;

/** A paid model's money path: hold before KIE, capture on success, release on any failure. */
class PaidJobPipelineTest extends PipelineTest {
    private static final String MODEL = "nano-banana-pro";
    private static final long PRICE = 1500;

    @Test
    void holdsThePriceBeforeCallingKieAndCapturesItOnSuccess() {
        long user = aUserWithBalance(10_000);
        String prompt = aPrompt("a paid fox");
        kie.addRule(Rule.forPrompt(prompt).taking(1500));

        String jobId = request(user, MODEL, prompt);

        JsonAssert.running(awaitStatus(jobId, "RUNNING"));
        assertThat(available(user)).isEqualTo(10_000 - PRICE);
        assertThat(held(user)).isEqualTo(PRICE);
        Timestamp holdPlacedAt = (Timestamp) db.rows("select placed_at from ledger.hold where job_id = ?::uuid",
                jobId).getFirst().get("placed_at");
        assertThat(kie.callsFor(prompt)).singleElement()
                .satisfies(call -> assertThat(call.at()).isGreaterThanOrEqualTo(holdPlacedAt.getTime()));

        awaitStatus(jobId, "DELIVERED");
        // the ledger's answer and the delivery's reach the orchestrator by two topics, in either order
        await().atMost(PATIENCE).untilAsserted(() ->
                assertThat(api.job(jobId).body().path("holdState").asString()).isEqualTo("CAPTURED"));
        await().atMost(PATIENCE).until(() -> held(user) == 0);
        assertThat(available(user)).isEqualTo(10_000 - PRICE);
        assertThat(capturesOf(jobId)).isEqualTo(1);
        assertThat(awaitMessages(user, 1)).singleElement()
                .satisfies(m -> assertThat(m.method()).isEqualTo("sendPhoto"));
    }

    @Test
    void releasesTheHoldWhenKieRejectsTheTask() {
        long user = aUserWithBalance(5_000);
        String prompt = aPrompt("a rejected fox");
        kie.addRule(Rule.forPrompt(prompt).answering(Answer.envelope(422, "Invalid prompt: prohibited content")));

        String jobId = request(user, MODEL, prompt);

        var job = awaitStatus(jobId, "FAILED");
        assertThat(job.path("failureReason").asString()).isEqualTo("KIE_REJECTED");
        assertThat(job.path("failureDetail").asString()).contains("422").contains("prohibited content");
        await().atMost(PATIENCE).until(() -> settled(user, 5_000));
        assertThat(releasesOf(jobId)).isEqualTo(1);
        assertThat(capturesOf(jobId)).isZero();
        assertThat(awaitMessages(user, 1).getFirst().text()).contains("refused").contains("Nothing was charged");
    }

    @Test
    void releasesTheHoldWhenTheTaskFails() {
        long user = aUserWithBalance(5_000);
        String prompt = aPrompt("a failing fox");
        kie.addRule(Rule.forPrompt(prompt).failing("500", "Internal server error"));

        String jobId = request(user, MODEL, prompt);

        var job = awaitStatus(jobId, "FAILED");
        assertThat(job.path("failureReason").asString()).isEqualTo("TASK_FAILED");
        await().atMost(PATIENCE).until(() -> settled(user, 5_000));
        assertThat(releasesOf(jobId)).isEqualTo(1);
        assertThat(capturesOf(jobId)).isZero();
        assertThat(awaitMessages(user, 1).getFirst().text()).contains("generation failed")
                .contains("Nothing was charged");
    }

    @Test
    void rejectsAJobTheBalanceDoesNotCoverWithoutCallingKie() {
        long user = aUserWithBalance(PRICE - 1);
        String prompt = aPrompt("a fox too expensive");

        String jobId = request(user, MODEL, prompt);

        var job = awaitStatus(jobId, "REJECTED");
        assertThat(job.path("failureReason").asString()).isEqualTo("INSUFFICIENT_FUNDS");
        assertThat(awaitMessages(user, 1).getFirst().text()).contains("balance is too low")
                .contains("Nothing was charged");
        assertThat(kie.callsFor(prompt)).isEmpty();
        assertThat(available(user)).isEqualTo(PRICE - 1);
        assertThat(held(user)).isZero();
        assertThat(db.count("select count(*) from ledger.hold where job_id = ?::uuid and status = 'PLACED'", jobId))
                .isZero();
    }

    @Test
    void rejectsAJobForAUserWithoutAnAccount() {
        long user = aNewUser();
        String prompt = aPrompt("a fox for nobody");

        String jobId = request(user, MODEL, prompt);

        assertThat(awaitStatus(jobId, "REJECTED").path("failureReason").asString()).isEqualTo("INSUFFICIENT_FUNDS");
        assertThat(kie.callsFor(prompt)).isEmpty();
    }
}
