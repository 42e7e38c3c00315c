package io.kiepipeline.schemas;

/** Why the ledger refused a top-up. */
public enum DepositRefusalReason {
    INVALID_AMOUNT, CURRENCY_MISMATCH, EXISTS_WITH_DIFFERENT_AMOUNT, INVALID_REFERENCE
}
