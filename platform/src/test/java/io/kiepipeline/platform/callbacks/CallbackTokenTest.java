package io.kiepipeline.platform.callbacks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CallbackTokenTest {
    private final CallbackToken tokens = new CallbackToken("a-callback-secret-of-some-length");

    @Test
    void acceptsTheTokenOfTheSameJobOnly() {
        String token = tokens.tokenFor("job-1");

        assertThat(tokens.verify("job-1", token)).isTrue();
        assertThat(tokens.verify("job-2", token)).isFalse();
        assertThat(tokens.verify("job-1", null)).isFalse();
        assertThat(tokens.verify("job-1", token + "x")).isFalse();
    }

    @Test
    void dependsOnTheSecret() {
        assertThat(new CallbackToken("another-secret-of-some-length").tokenFor("job-1"))
                .isNotEqualTo(tokens.tokenFor("job-1"));
    }

    @Test
    void refusesAShortSecret() {
        assertThatThrownBy(() -> new CallbackToken("short")).hasMessageContaining("CALLBACK_SECRET");
    }
}
