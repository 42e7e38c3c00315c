package io.kiepipeline.allinone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kiepipeline.emulators.KieEmulator.Answer;
import io.kiepipeline.emulators.KieEmulator.Call;
import io.kiepipeline.emulators.KieEmulator.Rule;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * createTask: what certainly made no task (429, 455 maintenance) is sent again after a back-off (a due time, not a
 * sleep); other 4xx never are. What may have made a task (5xx, a lost answer) is never sent again:
 * {@link KieAtMostOncePipelineTest}.
 */
class KieRetryPipelineTest extends PipelineTest {
    private static final String MODEL = "nano-banana-pro";

    @Test
    void submitsOnceTheBackOffPassesAfterKieRateLimits() {
        long user = aUserWithBalance(10_000);
        String prompt = aPrompt("a fox in a crowd");
        kie.addRule(Rule.forPrompt(prompt).answering(Answer.httpError(429), Answer.envelope(429, "Rate limited")));

        String jobId = request(user, MODEL, prompt);

        awaitStatus(jobId, "DELIVERED");
        List<Call> calls = kie.callsFor(prompt);
        assertThat(calls).extracting(Call::code).containsExactly(429, 429, 200);
        assertThat(calls.get(1).at() - calls.get(0).at()).as("backed off").isGreaterThanOrEqualTo(90);
        assertThat(calls.get(2).at() - calls.get(1).at()).as("backed off longer").isGreaterThanOrEqualTo(190);
        await().atMost(PATIENCE).until(() -> capturesOf(jobId) == 1);
    }

    @Test
    void submitsOnceKieIsBackFromMaintenance() {
        long user = aUserWithBalance(10_000);
        String prompt = aPrompt("a fox during maintenance");
        kie.addRule(Rule.forPrompt(prompt).answering(Answer.envelope(455, "Service Unavailable"),
                Answer.envelope(455, "Service Unavailable")));

        String jobId = request(user, MODEL, prompt);

        awaitStatus(jobId, "DELIVERED");
        assertThat(kie.callsFor(prompt)).extracting(Call::code).containsExactly(455, 455, 200);
        assertThat(kie.tasksFor(prompt)).hasSize(1);
        await().atMost(PATIENCE).until(() -> capturesOf(jobId) == 1);
    }

    @Test
    void neverRetriesAClientErrorAndReleasesTheHold() {
        long user = aUserWithBalance(10_000);
        String prompt = aPrompt("a fox KIE finds invalid");
        kie.addRule(Rule.forPrompt(prompt).answering(Answer.envelope(422, "Invalid prompt: prohibited content")));

        String jobId = request(user, MODEL, prompt);

        var job = awaitStatus(jobId, "FAILED");
        assertThat(job.path("failureDetail").asString()).contains("422");
        assertThat(kie.callsFor(prompt)).hasSize(1);
        await().atMost(PATIENCE).until(() -> releasesOf(jobId) == 1);
    }

    @Test
    void failsTheJobAndReleasesTheHoldWhenKieStaysInMaintenance() {
        long user = aUserWithBalance(10_000);
        String prompt = aPrompt("a fox during a long maintenance");
        Answer maintenance = Answer.envelope(455, "Service Unavailable");
        kie.addRule(Rule.forPrompt(prompt).answering(maintenance, maintenance, maintenance, maintenance,
                maintenance));

        String jobId = request(user, MODEL, prompt);

        var job = awaitStatus(jobId, "FAILED");
        assertThat(job.path("failureDetail").asString()).contains("unavailable after 4 attempts");
        assertThat(kie.callsFor(prompt)).hasSize(4);
        await().atMost(PATIENCE).until(() -> releasesOf(jobId) == 1);
        assertThat(available(user)).isEqualTo(10_000);
    }
}
