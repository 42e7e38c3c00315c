package io.kiepipeline.ledger.decider;

import io.kiepipeline.schemas.DepositRefusalReason;
import io.kiepipeline.schemas.HoldCommandKind;
import io.kiepipeline.schemas.HoldId;
import io.kiepipeline.schemas.HoldRefusalReason;
import io.kiepipeline.schemas.HoldRejectionReason;
import io.kiepipeline.schemas.JobId;
import io.kiepipeline.schemas.LedgerCommand;
import io.kiepipeline.schemas.LedgerCommand.CaptureHold;
import io.kiepipeline.schemas.LedgerCommand.DepositRequested;
import io.kiepipeline.schemas.LedgerCommand.PlaceHold;
import io.kiepipeline.schemas.LedgerCommand.ReleaseHold;
import io.kiepipeline.schemas.LedgerEvent;
import io.kiepipeline.schemas.Limits;
import io.kiepipeline.schemas.ReleaseReason;
import io.kiepipeline.schemas.UserId;
import java.util.List;
import java.util.Optional;

/**
 * What a ledger command does, decided from what is known before it: the command, the hold or deposit it names (if
 * any) and the user's account. Pure: no Spring, JPA or Kafka here (an ArchUnit test says so). The service loads the
 * inputs, applies the {@link Decision} (balances, hold, journal transfer) and appends its events to the outbox, all in
 * one transaction.
 *
 * <pre>
 * command          | hold / deposit                  | outcome                      | change          | events
 * -----------------+---------------------------------+------------------------------+-----------------+------------------
 * PlaceHold        | none, funds cover it            | APPLIED                      | place           | HoldPlaced
 * PlaceHold        | none, bad amount/currency/funds | REJECTED                     | reject          | HoldRejected
 * PlaceHold        | same amount (or was rejected)   | ALREADY_APPLIED              | none            | its event again
 * PlaceHold        | other amount                    | EXISTS_WITH_DIFFERENT_AMOUNT | none            | HoldRejected
 * Capture/Release  | PLACED                          | APPLIED                      | capture/release | HoldCaptured/Released
 * Capture/Release  | already resolved the same way   | ALREADY_APPLIED              | none            | the same event again
 * Capture/Release  | resolved the other way/rejected | HOLD_ALREADY_… / WAS_REJECTED| none            | HoldCommandRefused
 * Capture/Release  | unknown hold                    | HOLD_NOT_FOUND               | none            | HoldCommandRefused
 * DepositRequested | new reference, valid            | APPLIED                      | deposit         | FundsDeposited
 * DepositRequested | same reference, same amount     | ALREADY_APPLIED              | none            | FundsDeposited
 * DepositRequested | same reference, other amount    | EXISTS_WITH_DIFFERENT_AMOUNT | none            | DepositRefused
 * DepositRequested | bad amount/currency/reference   | REJECTED                     | none            | DepositRefused
 * DebitRequested   | new reference, funds cover it   | APPLIED                      | debit           | FundsDebited
 * DebitRequested   | same reference, same amount     | ALREADY_APPLIED              | none            | FundsDebited
 * DebitRequested   | same reference, other amount    | EXISTS_WITH_DIFFERENT_AMOUNT | none            | DebitRefused
 * DebitRequested   | bad amount/currency/reference   | REJECTED                     | none            | DebitRefused
 * DebitRequested   | available below the amount      | REJECTED                     | none            | DebitRefused
 * </pre>
 */
public final class LedgerDecider {
    private LedgerDecider() {
    }

    public enum HoldStatus {
        PLACED, CAPTURED, RELEASED, REJECTED
    }

    /** The user's account as it is before the command. */
    public record AccountView(long userId, String currency, long availableMinor, long heldMinor) {
    }

    /** A hold as stored. */
    public record HoldView(HoldId holdId, JobId jobId, UserId userId, long amountMinor, String currency,
                           HoldStatus status, HoldRejectionReason rejectReason, ReleaseReason releaseReason) {
    }

    /** A top-up as stored. */
    public record DepositView(long userId, long amountMinor, String currency) {
    }

    /** What the command changes in the stored state. */
    public sealed interface Change {
        record None() implements Change {
        }

        record Place(long amountMinor) implements Change {
        }

        record Reject(long amountMinor, HoldRejectionReason reason) implements Change {
        }

        record Capture(long amountMinor) implements Change {
        }

        record Release(long amountMinor, ReleaseReason reason) implements Change {
        }

        record Debit(long amountMinor) implements Change {
        }

        record Deposit(long amountMinor) implements Change {
        }
    }

    /** One side of a journal transfer. */
    public record Posting(String account, Long userId, long amountMinor) {
    }

    public enum TransferKind {
        DEPOSIT, HOLD, CAPTURE, RELEASE, DEBIT
    }

    /** A balanced journal transfer: {@code from} gives, {@code to} takes. */
    public record Transfer(TransferKind kind, String reference, long userId, String currency, Posting from,
                           Posting to) {
        public Transfer {
            if (from.amountMinor() + to.amountMinor() != 0) {
                throw new IllegalArgumentException("a transfer must balance");
            }
        }
    }

    public record Decision(Outcome outcome, Change change, Optional<Transfer> transfer, List<LedgerEvent> events) {
        static Decision of(Outcome outcome, Change change, Transfer transfer, LedgerEvent event) {
            return new Decision(outcome, change, Optional.ofNullable(transfer), List.of(event));
        }
    }

    /** Named the TigerBeetle way. */
    public enum Outcome {
        APPLIED, ALREADY_APPLIED, REJECTED, HOLD_NOT_FOUND, HOLD_ALREADY_CAPTURED, HOLD_ALREADY_RELEASED,
        HOLD_WAS_REJECTED, EXISTS_WITH_DIFFERENT_AMOUNT
    }

    public static final String REVENUE = "platform:revenue";
    public static final String DEPOSITS = "platform:deposits";

    public static String available(long userId) {
        return "user:" + userId + ":available";
    }

    public static String held(long userId) {
        return "user:" + userId + ":held";
    }

    /**
     * @param hold    the hold the command names, for hold commands
     * @param deposit the top-up (DepositRequested) or the debit (DebitRequested) with the command's reference
     * @param account the account of the user the hold belongs to (for a known hold) or the command names
     */
    public static Decision decide(LedgerCommand command, Optional<HoldView> hold, Optional<DepositView> deposit,
                                  AccountView account) {
        return switch (command) {
            case PlaceHold c -> place(c, hold, account);
            case CaptureHold c -> resolve(HoldCommandKind.CAPTURE, c.holdId(), c.jobId(), c.userId(), null, hold,
                    account);
            case ReleaseHold c -> resolve(HoldCommandKind.RELEASE, c.holdId(), c.jobId(), c.userId(), c.reason(),
                    hold, account);
            case DepositRequested c -> deposit(c, deposit, account);
            case io.kiepipeline.schemas.LedgerCommand.DebitRequested c -> debit(c, deposit, account);
        };
    }

    private static Decision place(PlaceHold c, Optional<HoldView> existing, AccountView a) {
        if (existing.isPresent()) {
            HoldView h = existing.get();
            if (h.status() == HoldStatus.REJECTED) {
                return Decision.of(Outcome.ALREADY_APPLIED, new Change.None(), null, new LedgerEvent.HoldRejected(
                        c.holdId(), c.jobId(), c.userId(), c.amountMinor(), c.currency(), h.rejectReason(),
                        a.availableMinor(), a.heldMinor()));
            }
            if (h.amountMinor() != c.amountMinor()) {
                return Decision.of(Outcome.EXISTS_WITH_DIFFERENT_AMOUNT, new Change.None(), null,
                        new LedgerEvent.HoldRejected(c.holdId(), c.jobId(), c.userId(), c.amountMinor(),
                                c.currency(), HoldRejectionReason.EXISTS_WITH_DIFFERENT_AMOUNT, a.availableMinor(),
                                a.heldMinor()));
            }
            // placed once: announce it again (whatever happened to it since, its placing is what was asked)
            return Decision.of(Outcome.ALREADY_APPLIED, new Change.None(), null, new LedgerEvent.HoldPlaced(
                    c.holdId(), c.jobId(), c.userId(), h.amountMinor(), h.currency(), a.availableMinor(),
                    a.heldMinor()));
        }
        HoldRejectionReason refusal = c.amountMinor() <= 0 ? HoldRejectionReason.INVALID_AMOUNT
                : !a.currency().equals(c.currency()) ? HoldRejectionReason.CURRENCY_MISMATCH
                : a.availableMinor() < c.amountMinor() ? HoldRejectionReason.INSUFFICIENT_FUNDS
                : null;
        if (refusal != null) {
            return Decision.of(Outcome.REJECTED, new Change.Reject(Math.max(c.amountMinor(), 1), refusal), null,
                    new LedgerEvent.HoldRejected(c.holdId(), c.jobId(), c.userId(), c.amountMinor(),
                            Limits.cut(c.currency(), 3), refusal, a.availableMinor(), a.heldMinor()));
        }
        long user = c.userId().value();
        Transfer t = new Transfer(TransferKind.HOLD, c.holdId().toString(), user, c.currency(),
                new Posting(available(user), user, -c.amountMinor()), new Posting(held(user), user, c.amountMinor()));
        return Decision.of(Outcome.APPLIED, new Change.Place(c.amountMinor()), t, new LedgerEvent.HoldPlaced(
                c.holdId(), c.jobId(), c.userId(), c.amountMinor(), c.currency(), a.availableMinor() - c.amountMinor(),
                a.heldMinor() + c.amountMinor()));
    }

    /** Capture and release are one decision: what the hold's status allows for the command that came. */
    private static Decision resolve(HoldCommandKind kind, HoldId holdId, JobId jobId, UserId userId,
                                    ReleaseReason releaseReason, Optional<HoldView> found, AccountView a) {
        if (found.isEmpty()) {
            return refused(kind, holdId, jobId, userId, HoldRefusalReason.HOLD_NOT_FOUND, a.currency(), a,
                    Outcome.HOLD_NOT_FOUND);
        }
        HoldView h = found.get();
        long user = h.userId().value();
        return switch (h.status()) {
            case PLACED -> switch (kind) {
                case CAPTURE -> Decision.of(Outcome.APPLIED, new Change.Capture(h.amountMinor()),
                        new Transfer(TransferKind.CAPTURE, h.holdId().toString(), user, h.currency(),
                                new Posting(held(user), user, -h.amountMinor()),
                                new Posting(REVENUE, null, h.amountMinor())),
                        captured(h, a.availableMinor(), a.heldMinor() - h.amountMinor()));
                case RELEASE -> Decision.of(Outcome.APPLIED, new Change.Release(h.amountMinor(), releaseReason),
                        new Transfer(TransferKind.RELEASE, h.holdId().toString(), user, h.currency(),
                                new Posting(held(user), user, -h.amountMinor()),
                                new Posting(available(user), user, h.amountMinor())),
                        released(h, releaseReason, a.availableMinor() + h.amountMinor(),
                                a.heldMinor() - h.amountMinor()));
            };
            case CAPTURED -> switch (kind) {
                case CAPTURE -> Decision.of(Outcome.ALREADY_APPLIED, new Change.None(), null,
                        captured(h, a.availableMinor(), a.heldMinor()));
                case RELEASE -> refused(kind, holdId, jobId, userId, HoldRefusalReason.HOLD_ALREADY_CAPTURED,
                        h.currency(), a, Outcome.HOLD_ALREADY_CAPTURED);
            };
            case RELEASED -> switch (kind) {
                case RELEASE -> Decision.of(Outcome.ALREADY_APPLIED, new Change.None(), null,
                        released(h, h.releaseReason(), a.availableMinor(), a.heldMinor()));
                case CAPTURE -> refused(kind, holdId, jobId, userId, HoldRefusalReason.HOLD_ALREADY_RELEASED,
                        h.currency(), a, Outcome.HOLD_ALREADY_RELEASED);
            };
            case REJECTED -> refused(kind, holdId, jobId, userId, HoldRefusalReason.HOLD_WAS_REJECTED, h.currency(),
                    a, Outcome.HOLD_WAS_REJECTED);
        };
    }

    private static Decision refused(HoldCommandKind kind, HoldId holdId, JobId jobId, UserId userId,
                                    HoldRefusalReason reason, String currency, AccountView a, Outcome outcome) {
        return Decision.of(outcome, new Change.None(), null, new LedgerEvent.HoldCommandRefused(holdId, jobId,
                userId, kind, reason, currency, a.availableMinor(), a.heldMinor()));
    }

    private static Decision deposit(DepositRequested c, Optional<DepositView> existing, AccountView a) {
        if (existing.isPresent()) {
            DepositView d = existing.get();
            if (d.amountMinor() != c.amountMinor() || d.userId() != c.userId().value()) {
                return depositRefused(c, DepositRefusalReason.EXISTS_WITH_DIFFERENT_AMOUNT, a,
                        Outcome.EXISTS_WITH_DIFFERENT_AMOUNT);
            }
            return Decision.of(Outcome.ALREADY_APPLIED, new Change.None(), null, new LedgerEvent.FundsDeposited(
                    c.depositId(), c.userId(), d.amountMinor(), d.currency(), c.reference(), a.availableMinor(),
                    a.heldMinor()));
        }
        DepositRefusalReason refusal = c.amountMinor() <= 0 ? DepositRefusalReason.INVALID_AMOUNT
                : !a.currency().equals(c.currency()) ? DepositRefusalReason.CURRENCY_MISMATCH
                : c.reference() == null || c.reference().isBlank()
                || c.reference().length() > Limits.DEPOSIT_REFERENCE ? DepositRefusalReason.INVALID_REFERENCE
                : null;
        if (refusal != null) {
            return depositRefused(c, refusal, a, Outcome.REJECTED);
        }
        long user = c.userId().value();
        Transfer t = new Transfer(TransferKind.DEPOSIT, c.reference(), user, c.currency(),
                new Posting(DEPOSITS, null, -c.amountMinor()), new Posting(available(user), user, c.amountMinor()));
        return Decision.of(Outcome.APPLIED, new Change.Deposit(c.amountMinor()), t, new LedgerEvent.FundsDeposited(
                c.depositId(), c.userId(), c.amountMinor(), c.currency(), c.reference(),
                a.availableMinor() + c.amountMinor(), a.heldMinor()));
    }

    private static Decision debit(io.kiepipeline.schemas.LedgerCommand.DebitRequested c,
                                  Optional<DepositView> existing, AccountView a) {
        if (existing.isPresent()) {
            DepositView d = existing.get();
            if (d.amountMinor() != c.amountMinor() || d.userId() != c.userId().value()) {
                return debitRefused(c, io.kiepipeline.schemas.DebitRefusalReason.EXISTS_WITH_DIFFERENT_AMOUNT, a,
                        Outcome.EXISTS_WITH_DIFFERENT_AMOUNT);
            }
            return Decision.of(Outcome.ALREADY_APPLIED, new Change.None(), null, new LedgerEvent.FundsDebited(
                    c.debitId(), c.userId(), d.amountMinor(), d.currency(), c.reference(), a.availableMinor(),
                    a.heldMinor()));
        }
        io.kiepipeline.schemas.DebitRefusalReason refusal = c.amountMinor() <= 0
                ? io.kiepipeline.schemas.DebitRefusalReason.INVALID_AMOUNT
                : !a.currency().equals(c.currency()) ? io.kiepipeline.schemas.DebitRefusalReason.CURRENCY_MISMATCH
                : c.reference() == null || c.reference().isBlank()
                || c.reference().length() > Limits.DEPOSIT_REFERENCE
                ? io.kiepipeline.schemas.DebitRefusalReason.INVALID_REFERENCE
                // only what is available: money held for a running job is not the user's to lose meanwhile
                : a.availableMinor() < c.amountMinor() ? io.kiepipeline.schemas.DebitRefusalReason.INSUFFICIENT_FUNDS
                : null;
        if (refusal != null) {
            return debitRefused(c, refusal, a, Outcome.REJECTED);
        }
        long user = c.userId().value();
        Transfer t = new Transfer(TransferKind.DEBIT, c.reference(), user, c.currency(),
                new Posting(available(user), user, -c.amountMinor()), new Posting(DEPOSITS, null, c.amountMinor()));
        return Decision.of(Outcome.APPLIED, new Change.Debit(c.amountMinor()), t, new LedgerEvent.FundsDebited(
                c.debitId(), c.userId(), c.amountMinor(), c.currency(), c.reference(),
                a.availableMinor() - c.amountMinor(), a.heldMinor()));
    }

    private static Decision debitRefused(io.kiepipeline.schemas.LedgerCommand.DebitRequested c,
                                         io.kiepipeline.schemas.DebitRefusalReason reason, AccountView a,
                                         Outcome outcome) {
        return Decision.of(outcome, new Change.None(), null, new LedgerEvent.DebitRefused(c.debitId(), c.userId(),
                c.amountMinor(), Limits.cut(c.currency(), 3), Limits.cap(c.reference(), Limits.DEPOSIT_REFERENCE),
                reason, a.availableMinor(), a.heldMinor()));
    }

    private static Decision depositRefused(DepositRequested c, DepositRefusalReason reason, AccountView a,
                                           Outcome outcome) {
        // the refusal repeats the reference cut to what a journal reference holds, so the event stays small
        return Decision.of(outcome, new Change.None(), null, new LedgerEvent.DepositRefused(c.depositId(),
                c.userId(), c.amountMinor(), Limits.cut(c.currency(), 3), Limits.cap(c.reference(),
                Limits.DEPOSIT_REFERENCE), reason, a.availableMinor(), a.heldMinor()));
    }

    private static LedgerEvent captured(HoldView h, long available, long held) {
        return new LedgerEvent.HoldCaptured(h.holdId(), h.jobId(), h.userId(), h.amountMinor(), h.currency(),
                available, held);
    }

    private static LedgerEvent released(HoldView h, ReleaseReason reason, long available, long held) {
        return new LedgerEvent.HoldReleased(h.holdId(), h.jobId(), h.userId(), h.amountMinor(), h.currency(), reason,
                available, held);
    }
}
