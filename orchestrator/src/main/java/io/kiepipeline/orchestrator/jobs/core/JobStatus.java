package io.kiepipeline.orchestrator.jobs.core;

/** Where a job is in its life. */
public enum JobStatus {
    /** Paid model: waiting for the ledger to place the hold. */
    AWAITING_HOLD,
    /** Hold placed (or free model): the KIE task is being created. */
    SUBMITTING,
    /** KIE accepted the task: waiting for its callback (or the next poll). */
    RUNNING,
    /** KIE produced the result; the hold is captured; the result is on its way to the chat. */
    SUCCEEDED,
    /** The result reached the chat. */
    DELIVERED,
    /** The job ended without a result; the hold was released. */
    FAILED,
    /** Refused before submission (unknown model, invalid input, insufficient funds). */
    REJECTED;

    public boolean isFinished() {
        return this == SUCCEEDED || this == DELIVERED || this == FAILED || this == REJECTED;
    }

    /** A state in which KIE may still answer for the job. */
    public boolean awaitsKie() {
        return this == SUBMITTING || this == RUNNING;
    }
}
