package io.kiepipeline.schemas;

/** What the delivery-worker sent to the chat for a job. */
public enum NoticeKind {
    RESULT, FAILURE_NOTICE, REJECTION_NOTICE
}
