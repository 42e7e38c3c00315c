package io.kiepipeline.schemas;

/**
 * Topic {@code ledger.events}, keyed by user id. The ledger is their single writer. Each event carries the account's
 * balances after it ({@code availableMinor}, {@code heldMinor}).
 */
public sealed interface LedgerEvent extends Message {
    UserId userId();

    String currency();

    long availableMinor();

    long heldMinor();

    @Override
    default String key() {
        return userId().toString();
    }

    record HoldPlaced(HoldId holdId, JobId jobId, UserId userId, long amountMinor, String currency,
                      long availableMinor, long heldMinor) implements LedgerEvent {
    }

    record HoldRejected(HoldId holdId, JobId jobId, UserId userId, long amountMinor, String currency,
                        HoldRejectionReason reason, long availableMinor, long heldMinor) implements LedgerEvent {
    }

    /** The charge: the held amount moved to revenue. */
    record HoldCaptured(HoldId holdId, JobId jobId, UserId userId, long amountMinor, String currency,
                        long availableMinor, long heldMinor) implements LedgerEvent {
    }

    record HoldReleased(HoldId holdId, JobId jobId, UserId userId, long amountMinor, String currency,
                        ReleaseReason reason, long availableMinor, long heldMinor) implements LedgerEvent {
    }

    /**
     * The ledger refused a CaptureHold or ReleaseHold: the hold is unknown, or already resolved (the other way, or
     * never placed). Said out loud instead of silence, so the orchestrator and operators see it.
     */
    record HoldCommandRefused(HoldId holdId, JobId jobId, UserId userId, HoldCommandKind command,
                              HoldRefusalReason reason, String currency, long availableMinor, long heldMinor)
            implements LedgerEvent {
    }

    /** A top-up the ledger refused; nothing moved. */
    record DepositRefused(DepositId depositId, UserId userId, long amountMinor, String currency, String reference,
                          DepositRefusalReason reason, long availableMinor, long heldMinor) implements LedgerEvent {
    }

    record FundsDebited(DebitId debitId, UserId userId, long amountMinor, String currency, String reference,
                        long availableMinor, long heldMinor) implements LedgerEvent {
    }

    record DebitRefused(DebitId debitId, UserId userId, long amountMinor, String currency, String reference,
                        DebitRefusalReason reason, long availableMinor, long heldMinor) implements LedgerEvent {
    }

    record FundsDeposited(DepositId depositId, UserId userId, long amountMinor, String currency, String reference,
                          long availableMinor, long heldMinor) implements LedgerEvent {
    }
}
