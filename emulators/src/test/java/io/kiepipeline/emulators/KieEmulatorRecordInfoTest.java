package io.kiepipeline.emulators;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** recordInfo as KIE answers it: 404 for a task it does not have, 422 "recordInfo is null" for one too new. */
class KieEmulatorRecordInfoTest extends KieEmulatorTestBase {
    private JsonNode recordInfo(String taskId) {
        return http.get(kie.baseUrl() + "/api/v1/jobs/recordInfo?taskId=" + taskId, KEY).json();
    }

    private String newTask(String prompt) {
        return createTask(prompt).json().path("data").path("taskId").asString();
    }

    @Test
    void aTaskIdKieNeverMadeIsNotFound() {
        JsonNode answer = recordInfo("task_never_made");

        assertThat(answer.path("code").asInt()).isEqualTo(404);
        assertThat(answer.path("msg").asString()).isEqualTo("Task not found");
    }

    @Test
    void aTaskTooNewIsRecordInfoNullThenKnown() {
        kie.recordsVisibleAfter(Duration.ofMinutes(10));
        String taskId = newTask("too new");

        JsonNode answer = recordInfo(taskId);
        assertThat(answer.path("code").asInt()).isEqualTo(422);
        assertThat(answer.path("msg").asString()).isEqualTo("recordInfo is null");
        assertThat(kie.recordInfoNotYetAnswers()).isEqualTo(1);

        kie.recordsVisibleAfter(Duration.ZERO);
        assertThat(recordInfo(taskId).path("code").asInt()).isEqualTo(200);
    }

    @Test
    void aTaskKieForgotIsNotFound() {
        String taskId = newTask("forgotten");
        assertThat(recordInfo(taskId).path("code").asInt()).isEqualTo(200);

        kie.forget(taskId);

        assertThat(recordInfo(taskId).path("code").asInt()).isEqualTo(404);
    }
}
