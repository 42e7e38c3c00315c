package io.kiepipeline.kieworker.tasks;

import io.kiepipeline.platform.callbacks.CallbackToken;
import java.time.Duration;

/**
 * @param publicBaseUrl        the gateway's public URL; empty means polling mode (no callBackUrl is sent)
 * @param retryAttempts        createTask calls per job at most, counting only calls that certainly made no task
 * @param callbackTokenMargin  how long after the job's deadline its callback URL still works (KIE retries callbacks
 *                             for about 20 minutes)
 * @param allowHttpResultUrls  accept non-https result URLs from recordInfo (the emulators serve http)
 */
public record KieSettings(String publicBaseUrl, CallbackToken callbackTokens, int retryAttempts, Duration retryInitial,
                          Duration retryMax, Duration callbackTokenMargin, boolean allowHttpResultUrls) {
    public boolean callbacks() {
        return publicBaseUrl != null && !publicBaseUrl.isBlank() && callbackTokens != null;
    }

    public Duration backOff(int attempt) {
        Duration d = retryInitial.multipliedBy(1L << Math.min(attempt - 1, 16));
        return d.compareTo(retryMax) > 0 ? retryMax : d;
    }
}
