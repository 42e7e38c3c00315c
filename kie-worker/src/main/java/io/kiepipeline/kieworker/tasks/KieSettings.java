package io.kiepipeline.kieworker.tasks;

import io.kiepipeline.platform.callbacks.CallbackToken;
import java.time.Duration;

/**
 * @param publicBaseUrl the gateway's public URL; empty means polling mode (no callBackUrl is sent)
 */
public record KieSettings(String publicBaseUrl, CallbackToken callbackTokens, int retryAttempts, Duration retryInitial, Duration retryMax) {
    public boolean callbacks() {
        return publicBaseUrl != null && !publicBaseUrl.isBlank() && callbackTokens != null;
    }

    public Duration backOff(int attempt) {
        Duration d = retryInitial.multipliedBy(1L << Math.min(attempt - 1, 16));
        return d.compareTo(retryMax) > 0 ? retryMax : d;
    }
}
