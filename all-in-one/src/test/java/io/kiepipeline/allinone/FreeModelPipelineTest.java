package io.kiepipeline.allinone;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FreeModelPipelineTest extends PipelineTest {

    @Test
    void deliversAFreeModelResultWithoutTouchingTheBalance() {
        long user = aNewUser();
        String jobId = request(user, "google/nano-banana", aPrompt("a free fox"));

        awaitStatus(jobId, "DELIVERED");

        assertThat(pipeline.telegram().sentTo(user)).singleElement().satisfies(sent -> {
            assertThat(sent.method()).isEqualTo("sendPhoto");
            assertThat(sent.mediaUrl()).endsWith("/files/result.png");
        });
        var account = api.account(user).body();
        assertThat(account.get("availableMinor").asLong()).isZero();
        assertThat(account.get("heldMinor").asLong()).isZero();
    }
}
