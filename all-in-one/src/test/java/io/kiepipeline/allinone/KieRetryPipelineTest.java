package io.kiepipeline.allinone;

import static org.assertj.core.api.Assertions.assertThat;

import io.kiepipeline.emulators.KieEmulator.Answer;
import io.kiepipeline.emulators.KieEmulator.Call;
import io.kiepipeline.emulators.KieEmulator.Rule;
import java.util.List;
import org.junit.jupiter.api.Test;

/** createTask: 429, 5xx and network errors are retried with back-off; other 4xx never are. */
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
        assertThat(capturesOf(jobId)).isEqualTo(1);
    }

    @Test
    void submitsOnceKieRecoversFromServerErrors() {
        long user = aUserWithBalance(10_000);
        String prompt = aPrompt("a fox during an outage");
        kie.addRule(Rule.forPrompt(prompt).answering(Answer.httpError(502), Answer.httpError(500)));

        String jobId = request(user, MODEL, prompt);

        awaitStatus(jobId, "DELIVERED");
        assertThat(kie.callsFor(prompt)).extracting(Call::httpStatus).containsExactly(502, 500, 200);
    }

    @Test
    void neverRetriesAClientErrorAndReleasesTheHold() {
        long user = aUserWithBalance(10_000);
        String prompt = aPrompt("a fox with no credits left");
        kie.addRule(Rule.forPrompt(prompt).answering(Answer.envelope(402, "Insufficient Credits")));

        String jobId = request(user, MODEL, prompt);

        var job = awaitStatus(jobId, "FAILED");
        assertThat(job.path("failureDetail").asString()).contains("402");
        assertThat(kie.callsFor(prompt)).hasSize(1);
        assertThat(releasesOf(jobId)).isEqualTo(1);
    }

    @Test
    void failsTheJobAndReleasesTheHoldWhenKieStaysDown() {
        long user = aUserWithBalance(10_000);
        String prompt = aPrompt("a fox during a long outage");
        kie.addRule(Rule.forPrompt(prompt).answering(Answer.httpError(503), Answer.httpError(503),
                Answer.httpError(503), Answer.httpError(503), Answer.httpError(503)));

        String jobId = request(user, MODEL, prompt);

        var job = awaitStatus(jobId, "FAILED");
        assertThat(job.path("failureDetail").asString()).contains("unavailable after 4 attempts");
        assertThat(kie.callsFor(prompt)).hasSize(4);
        assertThat(releasesOf(jobId)).isEqualTo(1);
        assertThat(available(user)).isEqualTo(10_000);
    }
}
