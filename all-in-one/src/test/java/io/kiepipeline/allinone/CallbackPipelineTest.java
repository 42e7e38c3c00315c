package io.kiepipeline.allinone;

import static org.assertj.core.api.Assertions.assertThat;

import io.kiepipeline.emulators.KieEmulator.Rule;
import io.kiepipeline.platform.callbacks.CallbackToken;
import org.junit.jupiter.api.Test;

/** KIE's callbacks: forged ones change nothing, malformed ones are refused, lost ones are made up for by polling. */
class CallbackPipelineTest extends PipelineTest {
    private static final String MODEL = "nano-banana-pro";

    @Test
    void refusesAForgedCallbackAndChangesNothing() {
        long user = aUserWithBalance(10_000);
        String prompt = aPrompt("a fox someone wants for free");
        kie.addRule(Rule.forPrompt(prompt).taking(4000));
        String jobId = request(user, MODEL, prompt);
        JsonAssert.running(awaitStatus(jobId, "RUNNING"));
        String taskId = kie.tasksFor(prompt).getFirst().taskId();
        String body = successBody(taskId);

        var forged = api.postRaw("/kie/callback/" + jobId + "?token=forged-token", null, null, body);
        var missing = api.postRaw("/kie/callback/" + jobId, null, null, body);
        var otherJobsToken = api.postRaw("/kie/callback/" + jobId + "?token="
                + new CallbackToken(TestPipeline.CALLBACK_SECRET).tokenFor(java.util.UUID.randomUUID().toString(),
                java.time.Instant.now().plusSeconds(3600)),
                null, null, body);

        assertThat(forged.status()).isEqualTo(401);
        assertThat(missing.status()).isEqualTo(401);
        assertThat(otherJobsToken.status()).isEqualTo(401);
        assertThat(forged.body().path("code").asInt()).isEqualTo(401);
        assertThat(api.job(jobId).body().path("status").asString()).isEqualTo("RUNNING");
        assertThat(api.job(jobId).body().path("resultUrls").size()).isZero();
        awaitStatus(jobId, "DELIVERED");
        assertThat(capturesOf(jobId)).isEqualTo(1);
    }

    @Test
    void refusesACallbackThatIsNotJsonAndTakesOneOfNoKnownShapeWithoutPublishingIt() {
        String jobId = java.util.UUID.randomUUID().toString();
        String token = new CallbackToken(TestPipeline.CALLBACK_SECRET).tokenFor(jobId,
                java.time.Instant.now().plusSeconds(3600));

        var notJson = api.postRaw("/kie/callback/" + jobId + "?token=" + token, null, null, "{oops");
        var noTask = api.postRaw("/kie/callback/" + jobId + "?token=" + token, null, null,
                "{\"code\":200,\"data\":{\"state\":\"success\"}}");
        var badState = api.postRaw("/kie/callback/" + jobId + "?token=" + token, null, null,
                "{\"code\":200,\"data\":{\"taskId\":\"t1\",\"state\":\"exploded\"}}");

        assertThat(notJson.status()).isEqualTo(400);
        // JSON KIE could send in a shape we do not know: taken (KIE would retry a refusal for ever), not published
        assertThat(noTask.status()).isEqualTo(200);
        assertThat(badState.status()).isEqualTo(200);
        assertThat(api.job(jobId).status()).isEqualTo(404);
    }

    @Test
    void findsTheResultByPollingWhenTheCallbackNeverComes() {
        long user = aUserWithBalance(10_000);
        String prompt = aPrompt("a fox whose callback got lost");
        kie.addRule(Rule.forPrompt(prompt).taking(300).withoutCallback());

        String jobId = request(user, MODEL, prompt);

        awaitStatus(jobId, "DELIVERED");
        assertThat(kie.callbacksAccepted(kie.tasksFor(prompt).getFirst().taskId())).isZero();
        assertThat(capturesOf(jobId)).isEqualTo(1);
    }

    private static String successBody(String taskId) {
        return """
                {"code":200,"msg":"Playground task completed successfully.","data":{"taskId":"%s",
                "model":"nano-banana-pro","state":"success","param":"{}",
                "resultJson":"{\\"resultUrls\\":[\\"http://127.0.0.1:1/stolen.png\\"]}",
                "costTime":1,"completeTime":1,"createTime":1,"updateTime":1,"creditsConsumed":4}}""".formatted(taskId);
    }
}
