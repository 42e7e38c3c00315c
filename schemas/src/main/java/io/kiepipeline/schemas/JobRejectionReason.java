package io.kiepipeline.schemas;

/** Why a job was refused before anything was submitted to KIE. */
public enum JobRejectionReason {
    UNKNOWN_MODEL, INVALID_INPUT, INSUFFICIENT_FUNDS, HOLD_REJECTED
}
