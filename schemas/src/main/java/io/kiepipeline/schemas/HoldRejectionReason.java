package io.kiepipeline.schemas;

/** Why the ledger refused to place a hold (a closed set: refusals are events, not exceptions). */
public enum HoldRejectionReason {
    INSUFFICIENT_FUNDS, CURRENCY_MISMATCH, INVALID_AMOUNT, EXISTS_WITH_DIFFERENT_AMOUNT
}
