package io.kiepipeline.kieworker.client;

import static io.kiepipeline.kieworker.client.CreateTaskOutcome.AMBIGUOUS;
import static io.kiepipeline.kieworker.client.CreateTaskOutcome.CREATED;
import static io.kiepipeline.kieworker.client.CreateTaskOutcome.NOT_CREATED;
import static io.kiepipeline.kieworker.client.CreateTaskOutcome.REFUSED;
import static org.assertj.core.api.Assertions.assertThat;

import io.kiepipeline.schemas.MessageCodec;
import org.junit.jupiter.api.Test;

/**
 * What a createTask answer says about the task. KIE answers HTTP 200 with the outcome in the body; only an answer that
 * certainly made no task may lead to a second call.
 */
class KieResponseTest {
    @Test
    void retriesOnlyWhatCertainlyMadeNoTask() {
        assertThat(KieResponse.notSent("connection refused").createTaskOutcome()).isEqualTo(NOT_CREATED);
        assertThat(new KieResponse(429, 429, "Rate limit exceeded", null).createTaskOutcome()).isEqualTo(NOT_CREATED);
        assertThat(new KieResponse(200, 429, "Rate limited", null).createTaskOutcome()).isEqualTo(NOT_CREATED);
        assertThat(new KieResponse(200, 455, "maintenance", null).createTaskOutcome()).isEqualTo(NOT_CREATED);
        assertThat(new KieResponse(455, 455, "maintenance", null).createTaskOutcome()).isEqualTo(NOT_CREATED);
    }

    @Test
    void takesALostAnswerOrAServerErrorAsAmbiguous() {
        assertThat(KieResponse.answerLost("HttpTimeoutException").createTaskOutcome()).isEqualTo(AMBIGUOUS);
        assertThat(new KieResponse(500, 500, "Server Error", null).createTaskOutcome()).isEqualTo(AMBIGUOUS);
        assertThat(new KieResponse(502, 502, "Bad gateway", null).createTaskOutcome()).isEqualTo(AMBIGUOUS);
        assertThat(new KieResponse(503, 503, "Unavailable", null).createTaskOutcome()).isEqualTo(AMBIGUOUS);
        assertThat(new KieResponse(200, 500, "Server Error", null).createTaskOutcome()).isEqualTo(AMBIGUOUS);
        assertThat(new KieResponse(200, 200, "success", null).createTaskOutcome()).as("success without a task id")
                .isEqualTo(AMBIGUOUS);
    }

    @Test
    void takesOtherClientErrorsAsFinalRefusals() {
        for (int code : new int[] {400, 404, 422, 451, 501, 505}) {
            assertThat(new KieResponse(200, code, "no", null).createTaskOutcome()).as("code %d", code)
                    .isEqualTo(REFUSED);
        }
        assertThat(new KieResponse(400, 400, "no", null).createTaskOutcome()).isEqualTo(REFUSED);
    }

    @Test
    void takesABadKeyNoCreditsOrTheKeysLimitAsTheAccountsRefusalNotTheRequests() {
        for (int code : new int[] {401, 402, 433}) {
            assertThat(new KieResponse(200, code, "no", null).createTaskOutcome()).as("envelope %d", code)
                    .isEqualTo(CreateTaskOutcome.ACCOUNT_REFUSED);
            assertThat(new KieResponse(code, code, "no", null).createTaskOutcome()).as("HTTP %d", code)
                    .isEqualTo(CreateTaskOutcome.ACCOUNT_REFUSED);
            assertThat(new KieResponse(200, code, "no", null).accountRefused()).isTrue();
        }
        assertThat(new KieResponse(200, 422, "recordInfo is null", null).accountRefused()).isFalse();
        assertThat(KieResponse.answerLost("timeout").accountRefused()).isFalse();
    }

    @Test
    void takesATaskIdAsCreated() {
        KieResponse r = new KieResponse(200, 200, "success",
                MessageCodec.mapper().readTree("{\"taskId\":\"task_1\"}"));

        assertThat(r.createTaskOutcome()).isEqualTo(CREATED);
        assertThat(r.taskId()).isEqualTo("task_1");
    }

    @Test
    void isOkOnlyWhenBothHttpAndEnvelopeSaySo() {
        assertThat(new KieResponse(200, 200, "success", null).ok()).isTrue();
        assertThat(new KieResponse(200, 422, "Invalid", null).ok()).isFalse();
    }
}
