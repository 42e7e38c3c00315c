package io.kiepipeline.allinone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kiepipeline.emulators.KieEmulator.Rule;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * KIE finishes (and bills) a task even after the job gave up on it. The job fails on time and its hold is released;
 * its task is still watched, and when it finishes the result reaches the user, free, with its cost recorded.
 */
class LateResultPipelineTest extends PipelineTest {
    private static final String MODEL = "kling-2.6/text-to-video";

    @Test
    void aTaskThatFinishesAfterTheJobTimedOutReachesTheUserFreeAndItsCostIsRecorded() {
        long user = aUserWithBalance(100_000);
        String prompt = aPrompt("a fox that takes its time");
        kie.addRule(Rule.forPrompt(prompt).taking(TestPipeline.LATE_CATEGORY_MAX_AGE.toMillis() + 6_000));

        String jobId = request(user, MODEL, Map.of("prompt", prompt), "key-" + UUID.randomUUID());

        JsonNode failed = awaitStatus(jobId, "FAILED");
        assertThat(failed.path("failureReason").asString()).isEqualTo("TIMED_OUT");
        await().atMost(PATIENCE).until(() -> settled(user, 100_000));
        assertThat(awaitMessages(user, 1).getFirst().text()).contains("took too long").contains("Nothing was charged");

        await().atMost(PATIENCE).until(() -> api.job(jobId).body().path("lateResult").asBoolean());
        List<io.kiepipeline.emulators.TelegramEmulator.Sent> sent = awaitMessages(user, 2);
        assertThat(sent.get(1).method()).isEqualTo("sendVideo");
        assertThat(sent.get(1).text()).contains("Late but done").contains("free");
        JsonNode job = api.job(jobId).body();
        assertThat(job.path("status").asString()).isEqualTo("FAILED");
        assertThat(job.path("resultUrls")).hasSize(1);
        await().atMost(PATIENCE).until(() -> api.job(jobId).body().path("kieCreditsConsumed").asLong(-1) > 0);
        assertThat(capturesOf(jobId)).isZero();
        assertThat(releasesOf(jobId)).isEqualTo(1);
        assertThat(available(user)).isEqualTo(100_000);
        assertThat(kie.tasksFor(prompt)).hasSize(1);
    }
}
