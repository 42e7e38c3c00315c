package io.kiepipeline.ledger.accounts;

/** What applying a command did (named the TigerBeetle way). */
public enum LedgerOutcome {
    APPLIED,
    ALREADY_APPLIED,
    REJECTED,
    HOLD_NOT_FOUND,
    HOLD_ALREADY_CAPTURED,
    HOLD_ALREADY_RELEASED,
    HOLD_WAS_REJECTED,
    EXISTS_WITH_DIFFERENT_AMOUNT,
    DUPLICATE_MESSAGE
}
