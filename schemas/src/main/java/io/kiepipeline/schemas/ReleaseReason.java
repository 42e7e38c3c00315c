package io.kiepipeline.schemas;

/** Why a hold is released (the job did not produce a result, so nothing is charged). */
public enum ReleaseReason {
    KIE_REJECTED, TASK_FAILED, TIMED_OUT, CANCELLED, UNKNOWN_JOB
}
