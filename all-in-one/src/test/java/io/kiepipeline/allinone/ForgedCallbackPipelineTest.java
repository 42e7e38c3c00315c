package io.kiepipeline.allinone;

import static org.assertj.core.api.Assertions.assertThat;

import io.kiepipeline.emulators.KieEmulator.Rule;
import org.junit.jupiter.api.Test;

/**
 * Anyone who saw a job's callback URL (proxy logs, KIE's dashboard) holds a valid token. With KIE's webhook key set
 * (as here) a post without KIE's signature is refused outright; and even a callback that gets through is a hint,
 * never money: the orchestrator asks KIE what the task did, and only KIE's answer captures and delivers.
 */
class ForgedCallbackPipelineTest extends PipelineTest {
    private static final String ATTACKER_URL = "https://attacker.example/their-image.png";

    @Test
    void neverChargesOrDeliversOnASuccessPostedWithTheJobsOwnCallbackUrl() {
        long user = aUserWithBalance(10_000);
        String prompt = aPrompt("a fox someone else wants to answer for");
        kie.addRule(Rule.forPrompt(prompt).taking(4_000));
        String jobId = request(user, "nano-banana-pro", prompt);
        awaitStatus(jobId, "RUNNING");
        var task = kie.tasksFor(prompt).getFirst();
        String callbackPath = task.callBackUrl().substring(task.callBackUrl().indexOf("/kie/callback/"));

        var otherTask = api.postRaw(callbackPath, null, null, successBody("task_forged_0001"));
        var realTask = api.postRaw(callbackPath, null, null, successBody(task.taskId()));

        assertThat(otherTask.status()).as("unsigned: refused, and it learns nothing").isEqualTo(401);
        assertThat(realTask.status()).isEqualTo(401);
        assertThat(api.job(jobId).body().path("status").asString()).isEqualTo("RUNNING");
        assertThat(capturesOf(jobId)).isZero();

        var delivered = awaitStatus(jobId, "DELIVERED");
        assertThat(delivered.path("resultUrls").toString()).doesNotContain("attacker");
        assertThat(capturesOf(jobId)).isEqualTo(1);
        assertThat(telegram.sentTo(user)).allSatisfy(sent -> {
            assertThat(String.valueOf(sent.mediaUrl())).doesNotContain("attacker");
            assertThat(String.valueOf(sent.text())).doesNotContain("attacker");
        });
    }

    private static String successBody(String taskId) {
        return """
                {"code":200,"msg":"Playground task completed successfully.","data":{"taskId":"%s",
                "model":"nano-banana-pro","state":"success","param":"{}",
                "resultJson":"{\\"resultUrls\\":[\\"%s\\"]}",
                "costTime":1,"completeTime":1,"createTime":1,"updateTime":1,"creditsConsumed":4}}"""
                .formatted(taskId, ATTACKER_URL);
    }
}
