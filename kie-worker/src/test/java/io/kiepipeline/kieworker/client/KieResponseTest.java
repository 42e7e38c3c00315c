package io.kiepipeline.kieworker.client;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** KIE answers HTTP 200 with the outcome in the body: what is worth retrying and what is final. */
class KieResponseTest {
    @Test
    void retriesNetworkErrorsRateLimitsAndServerErrors() {
        assertThat(new KieResponse(0, 0, "network error", null).retryable()).isTrue();
        assertThat(new KieResponse(429, 429, "Rate limit exceeded", null).retryable()).isTrue();
        assertThat(new KieResponse(502, 502, "Bad gateway", null).retryable()).isTrue();
        assertThat(new KieResponse(200, 429, "Rate limited", null).retryable()).isTrue();
        assertThat(new KieResponse(200, 455, "maintenance", null).retryable()).isTrue();
        assertThat(new KieResponse(200, 500, "Server Error", null).retryable()).isTrue();
    }

    @Test
    void neverRetriesOtherClientErrors() {
        for (int code : new int[] {400, 401, 402, 404, 422, 433, 501, 505}) {
            assertThat(new KieResponse(200, code, "no", null).retryable()).as("code %d", code).isFalse();
        }
        assertThat(new KieResponse(401, 401, "no", null).retryable()).isFalse();
    }

    @Test
    void isOkOnlyWhenBothHttpAndEnvelopeSaySo() {
        assertThat(new KieResponse(200, 200, "success", null).ok()).isTrue();
        assertThat(new KieResponse(200, 422, "Invalid", null).ok()).isFalse();
    }
}
