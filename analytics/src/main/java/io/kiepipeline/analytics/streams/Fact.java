package io.kiepipeline.analytics.streams;

import java.time.Instant;

/**
 * One thing that happened to a job, as the views count it. Read from the event topics ({@link Signals}), then
 * counted once per job and kind by {@link JobFacts}, which fills in what the event itself lacks (a capture names no
 * model; KIE's cost names neither model nor user).
 *
 * @param at          when it happened: the event's own instant, else its record's timestamp
 * @param amountMinor a capture's amount (minor units of {@code currency}); KIE's credits for {@link Kind#KIE_COST}
 * @param durationMs  a success's time to result (created → result), when the creation was seen
 * @param ref         what makes a fact unique within its job: the hold id of a capture, the task id of a KIE report
 */
public record Fact(Kind kind, String jobId, String model, Long userId, Instant at, long amountMinor, String currency,
                   Long durationMs, String ref) {
    public enum Kind {
        /** The job was created (its request accepted for processing). Read, never counted itself. */
        CREATED,
        /** A request to count: the job's creation, or its rejection at intake when it never was created. */
        REQUESTED,
        /** The job was refused: before creation (at intake), or when its hold was refused. */
        REJECTED,
        /** The job's task was submitted to KIE (gives the task id the cost reports must name). Never counted. */
        SUBMITTED,
        SUCCEEDED,
        FAILED,
        /** A result after a timeout: delivered free. */
        LATE_RESULT,
        /** The hold was captured: revenue. */
        CAPTURED,
        /** KIE reported what the job's task consumed. */
        KIE_COST
    }

    public Fact withModelAndUser(String model, Long userId) {
        return new Fact(kind, jobId, model, userId, at, amountMinor, currency, durationMs, ref);
    }

    public Fact withKind(Kind kind) {
        return new Fact(kind, jobId, model, userId, at, amountMinor, currency, durationMs, ref);
    }

    public Fact withAt(Instant at) {
        return new Fact(kind, jobId, model, userId, at, amountMinor, currency, durationMs, ref);
    }

    public Fact withDuration(Long durationMs) {
        return new Fact(kind, jobId, model, userId, at, amountMinor, currency, durationMs, ref);
    }
}
