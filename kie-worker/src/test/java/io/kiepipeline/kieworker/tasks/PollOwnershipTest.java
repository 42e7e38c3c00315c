package io.kiepipeline.kieworker.tasks;

import static org.assertj.core.api.Assertions.assertThat;

import io.kiepipeline.platform.kie.KieReports;
import io.kiepipeline.schemas.KieApiFamily;
import io.kiepipeline.schemas.MessageCodec;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** A poll reports a task for a job only when the task's own request does not name another job's callback. */
class PollOwnershipTest {
    private static final String JOB = "1d18e7a0-0000-4000-8000-000000000001";
    private static final String OTHER = "1d18e7a0-0000-4000-8000-000000000002";

    @Test
    void acceptsTheTaskWhoseCallbackUrlNamesTheJob() {
        assertThat(KieTaskService.ofThisJob(report(data("https://bot.example/kie/callback/" + JOB + "?token=1.x")),
                JOB))
                .isTrue();
    }

    @Test
    void refusesTheTaskWhoseCallbackUrlNamesAnotherJob() {
        assertThat(KieTaskService.ofThisJob(report(data("https://bot.example/kie/callback/" + OTHER + "?token=1.x")),
                JOB))
                .isFalse();
    }

    @Test
    void acceptsATaskMadeWithoutACallback() {
        assertThat(KieTaskService.ofThisJob(report(data("")), JOB)).isTrue();
        assertThat(KieTaskService.ofThisJob(report(MessageCodec.mapper().readTree(
                "{\"taskId\":\"t\",\"state\":\"success\"}")), JOB)).isTrue();
    }

    @Test
    void takesOnlyTheTaskTheWorkerMadeOnceTheJobHasOne() {
        KieTasks.Row accepted = row("ACCEPTED", "task-made-by-us");
        KieReports.Report noCallbackUrl = report(MessageCodec.mapper().readTree(
                "{\"taskId\":\"t\",\"state\":\"success\"}"));

        assertThat(KieTaskService.ofThisJob(noCallbackUrl, JOB, accepted, "task-made-by-us")).isTrue();
        assertThat(KieTaskService.ofThisJob(noCallbackUrl, JOB, accepted, "someone-elses-task")).isFalse();
        assertThat(KieTaskService.ofThisJob(noCallbackUrl, JOB, row("REJECTED", null), "t")).isFalse();
    }

    @Test
    void takesATaskACallbackNamedOnlyWhenItsOwnRequestNamesTheJob() {
        KieTasks.Row pending = row("UNCERTAIN", null);

        assertThat(KieTaskService.ofThisJob(report(data("https://bot.example/kie/callback/" + JOB + "?token=1.x")),
                JOB, pending, "t")).isTrue();
        assertThat(KieTaskService.ofThisJob(report(MessageCodec.mapper().readTree(
                "{\"taskId\":\"t\",\"state\":\"success\"}")), JOB, pending, "t"))
                .as("a family whose status does not show the callBackUrl proves nothing").isFalse();
    }

    private static KieTasks.Row row(String state, String taskId) {
        return new KieTasks.Row(java.util.UUID.fromString(JOB), state, taskId, "m", 1, "{}", null, 1, true, 0, null,
                java.time.Instant.now(), null, KieApiFamily.MARKET, "m", null);
    }

    private static KieReports.Report report(JsonNode data) {
        try {
            return KieReports.fromStatus(KieApiFamily.MARKET, data);
        } catch (KieReports.Unreadable e) {
            throw new AssertionError(e);
        }
    }

    private static JsonNode data(String callBackUrl) {
        String param = MessageCodec.mapper().writeValueAsString(Map.of("model", "m", "callBackUrl", callBackUrl));
        return MessageCodec.mapper().valueToTree(Map.of("taskId", "t", "state", "success", "param", param));
    }
}
