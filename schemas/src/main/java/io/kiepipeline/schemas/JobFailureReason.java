package io.kiepipeline.schemas;

/** Why a submitted job ended without a result. */
public enum JobFailureReason {
    KIE_REJECTED, TASK_FAILED, TIMED_OUT, NO_RESULT
}
