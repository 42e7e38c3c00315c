package io.kiepipeline.allinone;

import static org.assertj.core.api.Assertions.assertThat;

import io.kiepipeline.platform.callbacks.CallbackToken;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** No secret reaches the logs: searched over every line that every test made the system write. */
@Order(Integer.MAX_VALUE)
class SecretsNeverLoggedPipelineTest extends PipelineTest {
    @Test
    void noSecretAppearsInAnyLogLine() {
        // make sure the run logged real traffic, including a line that carries a secret on purpose
        long user = aNewUser();
        awaitStatus(request(user, "google/nano-banana", aPrompt("a fox that keeps secrets")), "DELIVERED");
        LoggerFactory.getLogger("leak-probe").atWarn().addKeyValue("auth", "Bearer " + TestPipeline.API_TOKEN)
                .log("probe token=" + TestPipeline.CALLBACK_SECRET + " key " + pipeline.env("KIE_API_KEY"));

        List<String> secrets = new ArrayList<>(List.of(TestPipeline.API_TOKEN, TestPipeline.ADMIN_TOKEN,
                TestPipeline.CALLBACK_SECRET, pipeline.env("TELEGRAM_BOT_TOKEN"), pipeline.env("KIE_API_KEY")));
        CallbackToken tokens = new CallbackToken(TestPipeline.CALLBACK_SECRET);
        for (Map<String, Object> job : db.rows("select job_id from orchestrator.job")) {
            secrets.add(tokens.tokenFor(job.get("job_id").toString()));
        }

        List<String> lines = LogCapture.lines();
        assertThat(lines).hasSizeGreaterThan(200);
        assertThat(lines).anyMatch(l -> l.contains("leak-probe") && l.contains("token=****"));
        for (String secret : secrets) {
            assertThat(lines).as("a log line shows a secret").noneMatch(l -> l.contains(secret));
        }
    }
}
