package io.kiepipeline.gateway.callbacks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kiepipeline.platform.callbacks.CallbackToken;
import io.kiepipeline.schemas.GatewayEvent.CallbackReceived;
import io.kiepipeline.schemas.JobId;
import io.kiepipeline.schemas.KieTaskState;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The callback bodies of kie-api.md §4.1, including the older field names. */
class CallbackParsingTest {
    private final KieCallbackController controller = new KieCallbackController(null,
            new CallbackToken("callback-secret-123456"), Clock.systemUTC(), "", Duration.ofMinutes(10), false);
    private final JobId job = new JobId(UUID.randomUUID());

    @Test
    void readsAMarketSuccessCallback() throws Exception {
        CallbackReceived r = controller.parse(job, """
                {"code":200,"msg":"Playground task completed successfully.","data":{"taskId":"bd8f4b1a",
                "model":"wan/3-0-video-prime","state":"success","param":"{}",
                "resultJson":"{\\"resultUrls\\":[\\"https://tempfile.aiquickdraw.com/a.mp4\\"]}",
                "costTime":89,"completeTime":1787567409000,"createTime":1787567320000,"updateTime":1787567409000,
                "creditsConsumed":61}}""");

        assertThat(r.taskId()).isEqualTo("bd8f4b1a");
        assertThat(r.state()).isEqualTo(KieTaskState.SUCCESS);
        assertThat(r.resultUrls()).containsExactly("https://tempfile.aiquickdraw.com/a.mp4");
        assertThat(r.creditsConsumed()).isEqualTo(61);
    }

    @Test
    void readsAnOlderFailureCallbackWithTaskIdInSnakeCase() throws Exception {
        CallbackReceived r = controller.parse(job, """
                {"code":501,"msg":"Playground task failed.","data":{"task_id":"t-9","state":"fail",
                "failCode":"500","failMsg":"Internal server error","consumeCredits":0,"remainedCredits":100}}""");

        assertThat(r.taskId()).isEqualTo("t-9");
        assertThat(r.state()).isEqualTo(KieTaskState.FAIL);
        assertThat(r.failCode()).isEqualTo("500");
        assertThat(r.failMessage()).isEqualTo("Internal server error");
        assertThat(r.creditsConsumed()).isZero();
        assertThat(r.resultUrls()).isEmpty();
    }

    @Test
    void refusesBodiesThatAreNotJson() {
        assertThatThrownBy(() -> controller.parse(job, "")).isInstanceOf(KieCallbackController.MalformedCallback.class)
                .hasMessageContaining("empty");
        assertThatThrownBy(() -> controller.parse(job, "{oops")).isInstanceOf(
                KieCallbackController.MalformedCallback.class).hasMessageContaining("not JSON");
    }

    @Test
    void setsAsideJsonOfNoKnownShape() {
        for (String body : List.of("[1,2]", "{\"data\":{\"state\":\"success\"}}",
                "{\"data\":{\"taskId\":\"t\",\"state\":\"weird\"}}",
                "{\"data\":{\"taskId\":\"t\",\"state\":\"success\",\"resultJson\":\"{oops\"}}",
                "{\"code\":200,\"data\":{\"taskId\":\"t\",\"brandNew\":true}}")) {
            assertThatThrownBy(() -> controller.parse(job, body)).as(body)
                    .isInstanceOf(io.kiepipeline.platform.kie.KieReports.Unreadable.class);
        }
    }
}
