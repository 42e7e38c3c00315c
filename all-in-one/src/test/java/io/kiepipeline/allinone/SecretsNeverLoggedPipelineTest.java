package io.kiepipeline.allinone;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
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
                .log("probe token=" + TestPipeline.CALLBACK_SECRET + " key " + pipeline.env("KIE_API_KEY") + " keys "
                        + pipeline.env("KIE_API_KEYS"));

        List<String> secrets = new ArrayList<>(List.of(TestPipeline.API_TOKEN, TestPipeline.ADMIN_TOKEN,
                TestPipeline.CALLBACK_SECRET, TestPipeline.KIE_WEBHOOK_HMAC_KEY, pipeline.env("TELEGRAM_BOT_TOKEN"),
                pipeline.env("KIE_API_KEY"), TestPipeline.KIE_SECOND_KEY));
        // the callback tokens the kie-worker really sent (they carry an expiry, so they are read, not recomputed)
        for (var task : kie.tasksFor("")) {
            if (task.callBackUrl() != null && task.callBackUrl().contains("token=")) {
                secrets.add(task.callBackUrl().substring(task.callBackUrl().indexOf("token=") + 6));
            }
        }
        assertThat(secrets).as("seven secrets and at least one callback token").hasSizeGreaterThan(7);

        List<String> lines = LogCapture.lines();
        assertThat(lines).hasSizeGreaterThan(200);
        assertThat(lines).anyMatch(l -> l.contains("leak-probe") && l.contains("token=****"));
        for (String secret : secrets) {
            assertThat(lines).as("a log line shows a secret").noneMatch(l -> l.contains(secret));
        }

        // the same run as LOG_FORMAT=json writes it: a JSON object per line, the job's id a field, no secret
        List<String> json = LogCapture.jsonLines();
        assertThat(json).hasSizeGreaterThan(200);
        var mapper = tools.jackson.databind.json.JsonMapper.builder().build();
        for (String line : json) {
            assertThat(line).endsWith("\n");
            assertThat(mapper.readTree(line).isObject()).as(line).isTrue();
        }
        assertThat(json).anyMatch(l -> l.contains("\"message\":\"job.requested\"") && l.contains("\"jobId\":\""));
        assertThat(json).anyMatch(l -> l.contains("leak-probe") && l.contains("token=****"));
        for (String secret : secrets) {
            assertThat(json).as("a JSON log line shows a secret").noneMatch(l -> l.contains(secret));
        }
    }
}
