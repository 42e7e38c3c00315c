package io.kiepipeline.allinone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kiepipeline.emulators.KieEmulator.Rule;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * What recordInfo's two "no record" answers decide: 404 (KIE does not have the task) ends the job and releases its
 * hold; 422 "recordInfo is null" right after creation means not yet, and the job goes on.
 */
class KieRecordInfoPipelineTest extends PipelineTest {
    @AfterEach
    void recordsAtOnce() {
        kie.recordsVisibleAfter(Duration.ZERO);
    }

    @Test
    void aTaskKieNoLongerKnowsEndsItsJobAndReleasesTheHold() {
        long user = aUserWithBalance(10_000);
        String prompt = aPrompt("a fox KIE forgets");
        kie.addRule(Rule.forPrompt(prompt).taking(Duration.ofMinutes(10).toMillis()).withoutCallback());

        String jobId = request(user, "nano-banana-pro", prompt);
        await().atMost(PATIENCE).until(() -> kie.tasksFor(prompt).size() == 1);
        kie.forget(kie.tasksFor(prompt).getFirst().taskId());

        JsonNode failed = awaitStatus(jobId, "FAILED");
        assertThat(failed.path("failureReason").asString()).isEqualTo("TASK_FAILED");
        await().atMost(PATIENCE).until(() -> settled(user, 10_000));
        assertThat(capturesOf(jobId)).isZero();
        assertThat(releasesOf(jobId)).isEqualTo(1);
    }

    @Test
    void recordInfoNullRightAfterCreationMeansNotYet() {
        // longer than the grace the kie-worker gives a callback before its first poll (KIE_CALLBACK_GRACE, 5 s)
        kie.recordsVisibleAfter(Duration.ofSeconds(8));
        int notYetBefore = kie.recordInfoNotYetAnswers();
        long user = aUserWithBalance(10_000);
        String prompt = aPrompt("a fox KIE has not filed yet");
        kie.addRule(Rule.forPrompt(prompt).taking(500).withoutCallback());

        String jobId = request(user, "nano-banana-pro", prompt);

        awaitStatus(jobId, "DELIVERED");
        assertThat(kie.recordInfoNotYetAnswers()).as("polls answered recordInfo is null").isGreaterThan(notYetBefore);
        assertThat(capturesOf(jobId)).isEqualTo(1);
        assertThat(available(user)).isEqualTo(10_000 - 1500);
    }
}
