package io.kiepipeline.schemas;

/** Why the ledger refused a debit. */
public enum DebitRefusalReason {
    INVALID_AMOUNT, CURRENCY_MISMATCH, EXISTS_WITH_DIFFERENT_AMOUNT, INVALID_REFERENCE,
    /** The user's available balance is lower than the debit: nothing is taken. */
    INSUFFICIENT_FUNDS
}
