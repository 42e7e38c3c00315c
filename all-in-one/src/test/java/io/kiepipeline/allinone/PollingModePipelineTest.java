package io.kiepipeline.allinone;

import static org.assertj.core.api.Assertions.assertThat;

import io.kiepipeline.allinone.EmbeddedPipeline.Service;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Without PUBLIC_BASE_URL no callback is asked for: the job is followed by polling recordInfo alone. */
class PollingModePipelineTest extends PipelineTest {
    @AfterEach
    void restoreCallbacks() {
        pipeline.restartService(Service.KIE_WORKER);
    }

    @Test
    void submitsWithoutACallbackUrlAndFindsTheResultByPolling() {
        pipeline.restartService(Service.KIE_WORKER, Map.of("PUBLIC_BASE_URL", ""));
        long user = aUserWithBalance(10_000);
        String prompt = aPrompt("a fox nobody calls back about");

        String jobId = request(user, "nano-banana-pro", prompt);

        awaitStatus(jobId, "DELIVERED");
        assertThat(kie.tasksFor(prompt)).singleElement().satisfies(task -> assertThat(task.callBackUrl()).isNull());
        assertThat(capturesOf(jobId)).isEqualTo(1);
        assertThat(available(user)).isEqualTo(10_000 - 1500);
    }
}
