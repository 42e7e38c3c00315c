package io.kiepipeline.orchestrator.jobs.core;

import java.time.Duration;

/**
 * The saga's timings.
 *
 * @param timeout         how long a submitted job may take before it fails and its hold is released
 * @param pollInterval    polling mode: the first poll's delay; later ones double
 * @param pollMaxInterval the longest pause between polls
 * @param callbackGrace   callback mode: how long to wait for the callback before polling as a fallback
 * @param holdTimeout     how long a paid job waits for the ledger to place its hold before it fails (KIE's
 *                        {@code timeout} only starts once the hold is placed)
 * @param reconcileAfter  how long a command to the ledger may go unanswered before the saga sends it again (the ledger
 *                        answers a repeat with the outcome it had, so re-sending is safe); then again each period
 * @param lateWatch       how long after a job timed out its KIE task is still polled: KIE finishes and bills it anyway,
 *                        and its result is delivered late (docs/adr/0010-late-results.md)
 * @param latePollInterval the first pause between those late polls; later ones double, up to 8 times it
 */
public record SagaSettings(Duration timeout, Duration pollInterval, Duration pollMaxInterval, Duration callbackGrace,
                           Duration holdTimeout, Duration reconcileAfter, Duration lateWatch,
                           Duration latePollInterval) {
    public SagaSettings(Duration timeout, Duration pollInterval, Duration pollMaxInterval, Duration callbackGrace) {
        this(timeout, pollInterval, pollMaxInterval, callbackGrace, Duration.ofMinutes(10), Duration.ofMinutes(1));
    }

    public SagaSettings(Duration timeout, Duration pollInterval, Duration pollMaxInterval, Duration callbackGrace,
                        Duration holdTimeout, Duration reconcileAfter) {
        this(timeout, pollInterval, pollMaxInterval, callbackGrace, holdTimeout, reconcileAfter, Duration.ofHours(24),
                Duration.ofMinutes(5));
    }

    /** The pause before the next late poll of a timed-out job's task. */
    public Duration latePollDelay(int latePollsSoFar) {
        return latePollInterval.multipliedBy(1L << Math.min(latePollsSoFar, 3));
    }

    public Duration pollDelay(boolean callbackExpected, int attemptsSoFar) {
        if (callbackExpected && attemptsSoFar == 0) {
            return callbackGrace;
        }
        long factor = 1L << Math.min(attemptsSoFar, 10);
        Duration d = pollInterval.multipliedBy(factor);
        return d.compareTo(pollMaxInterval) > 0 ? pollMaxInterval : d;
    }
}
