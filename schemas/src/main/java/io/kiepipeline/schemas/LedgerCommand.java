package io.kiepipeline.schemas;

/** Topic {@code ledger.commands}, keyed by user id, so that everything on one balance is ordered. */
public sealed interface LedgerCommand extends Message {
    UserId userId();

    @Override
    default String key() {
        return userId().toString();
    }

    /** Move {@code amountMinor} from the user's available balance to held, for one job. */
    record PlaceHold(HoldId holdId, JobId jobId, UserId userId, long amountMinor, String currency)
            implements LedgerCommand {
    }

    /** Charge a placed hold: the held amount becomes revenue. */
    record CaptureHold(HoldId holdId, JobId jobId, UserId userId) implements LedgerCommand {
    }

    /** Give a placed hold back to the user's available balance. */
    record ReleaseHold(HoldId holdId, JobId jobId, UserId userId, ReleaseReason reason) implements LedgerCommand {
    }

    /**
     * An admin top-up. Named as the contract names it; it is a request the ledger may still refuse, which is
     * why it travels on the ledger's command topic.
     */
    record DepositRequested(DepositId depositId, UserId userId, long amountMinor, String currency, String reference)
            implements LedgerCommand {
    }

    /**
     * Money taken off a user's available balance (an admin's debit, the reversal of a refunded payment), once per
     * {@code reference}; refused, taking nothing, when the available balance is lower.
     */
    record DebitRequested(DebitId debitId, UserId userId, long amountMinor, String currency, String reference)
            implements LedgerCommand {
    }
}
