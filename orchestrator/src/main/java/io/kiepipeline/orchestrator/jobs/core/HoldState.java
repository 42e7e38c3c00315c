package io.kiepipeline.orchestrator.jobs.core;

/** What the orchestrator knows of the job's hold in the ledger. */
public enum HoldState {
    /** Free model: there is no hold. */
    NONE,
    REQUESTED,
    PLACED,
    CAPTURING,
    CAPTURED,
    RELEASING,
    RELEASED,
    REJECTED
}
