package io.kiepipeline.schemas;

/** Why a job was refused before anything was submitted to KIE. */
public enum JobRejectionReason {
    UNKNOWN_MODEL, INVALID_INPUT, INSUFFICIENT_FUNDS, HOLD_REJECTED,
    /** The model is in the catalog but not on sale now. */
    MODEL_DISABLED,
    /** The confirmed quote does not exist, is another user's or model's, or was already used. */
    QUOTE_INVALID,
    /** The confirmed quote expired or its catalog changed: the event carries a new quote to confirm. */
    QUOTE_CHANGED,
    /** No KIE key can take tasks now (KIE refused every account: a bad key, no credits, the key's limit). */
    KIE_UNAVAILABLE,
    /** The user already has as many jobs running as one user may ({@code USER_MAX_RUNNING_JOBS}). */
    TOO_MANY_RUNNING,
    /** The user sent more requests in the last minute than one user may ({@code USER_REQUESTS_PER_MINUTE}). */
    RATE_LIMITED,
    /** A free model, and the user has used the free jobs of the day ({@code FREE_DAILY_PER_USER}). */
    FREE_LIMIT_REACHED,
    /** A free model, and every user together has used the day's free jobs ({@code FREE_DAILY_BUDGET}). */
    FREE_BUDGET_EXHAUSTED
}
