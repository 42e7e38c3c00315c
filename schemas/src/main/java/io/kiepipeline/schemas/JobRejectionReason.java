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
    KIE_UNAVAILABLE
}
