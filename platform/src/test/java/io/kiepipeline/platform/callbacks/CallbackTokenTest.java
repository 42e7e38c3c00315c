package io.kiepipeline.platform.callbacks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class CallbackTokenTest {
    private static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");
    private static final Instant EXPIRY = NOW.plus(Duration.ofMinutes(50));
    private final CallbackToken tokens = new CallbackToken("a-callback-secret-of-some-length");

    @Test
    void acceptsTheTokenOfTheSameJobOnly() {
        String token = tokens.tokenFor("job-1", EXPIRY);

        assertThat(tokens.verify("job-1", token, NOW)).isTrue();
        assertThat(tokens.verify("job-2", token, NOW)).isFalse();
        assertThat(tokens.verify("job-1", null, NOW)).isFalse();
        assertThat(tokens.verify("job-1", token + "x", NOW)).isFalse();
    }

    @Test
    void acceptsTheTokenUntilItsExpiryAndRefusesItAfter() {
        String token = tokens.tokenFor("job-1", EXPIRY);

        assertThat(tokens.verify("job-1", token, EXPIRY)).isTrue();
        assertThat(tokens.verify("job-1", token, EXPIRY.plusSeconds(1))).isFalse();
    }

    @Test
    void refusesATokenWhoseExpiryWasMovedLater() {
        String token = tokens.tokenFor("job-1", NOW.minusSeconds(60));
        String signature = token.substring(token.indexOf('.') + 1);

        assertThat(tokens.verify("job-1", EXPIRY.getEpochSecond() + "." + signature, NOW)).isFalse();
        assertThat(tokens.verify("job-1", "." + signature, NOW)).isFalse();
        assertThat(tokens.verify("job-1", "soon." + signature, NOW)).isFalse();
    }

    @Test
    void dependsOnTheSecret() {
        assertThat(new CallbackToken("another-secret-of-some-length").tokenFor("job-1", EXPIRY))
                .isNotEqualTo(tokens.tokenFor("job-1", EXPIRY));
    }

    @Test
    void refusesAShortSecret() {
        assertThatThrownBy(() -> new CallbackToken("short")).hasMessageContaining("CALLBACK_SECRET");
    }
}
