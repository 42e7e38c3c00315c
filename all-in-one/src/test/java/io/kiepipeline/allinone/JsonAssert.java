package io.kiepipeline.allinone;

import static org.assertj.core.api.Assertions.assertThat;

import tools.jackson.databind.JsonNode;

final class JsonAssert {
    private JsonAssert() {
    }

    static void running(JsonNode job) {
        assertThat(job.path("status").asString()).isEqualTo("RUNNING");
        assertThat(job.path("taskId").asString()).startsWith("task_");
    }
}
