package io.kiepipeline.orchestrator.jobs.core;

import java.time.Duration;

/**
 * The saga's timings.
 *
 * @param timeout         how long a submitted job may take before it fails and its hold is released
 * @param pollInterval    polling mode: the first poll's delay; later ones double
 * @param pollMaxInterval the longest pause between polls
 * @param callbackGrace   callback mode: how long to wait for the callback before polling as a fallback
 */
public record SagaSettings(Duration timeout, Duration pollInterval, Duration pollMaxInterval, Duration callbackGrace) {
    public Duration pollDelay(boolean callbackExpected, int attemptsSoFar) {
        if (callbackExpected && attemptsSoFar == 0) {
            return callbackGrace;
        }
        long factor = 1L << Math.min(attemptsSoFar, 10);
        Duration d = pollInterval.multipliedBy(factor);
        return d.compareTo(pollMaxInterval) > 0 ? pollMaxInterval : d;
    }
}
