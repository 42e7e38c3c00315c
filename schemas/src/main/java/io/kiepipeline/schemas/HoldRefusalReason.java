package io.kiepipeline.schemas;

/** Why the ledger refused to capture or release a hold (a closed set: refusals are events). */
public enum HoldRefusalReason {
    HOLD_NOT_FOUND, HOLD_ALREADY_CAPTURED, HOLD_ALREADY_RELEASED, HOLD_WAS_REJECTED
}
