package io.kiepipeline.ledger.decider;

import io.kiepipeline.ledger.decider.LedgerDecider.AccountView;
import io.kiepipeline.ledger.decider.LedgerDecider.DepositView;
import io.kiepipeline.ledger.decider.LedgerDecider.HoldStatus;
import io.kiepipeline.ledger.decider.LedgerDecider.HoldView;
import io.kiepipeline.schemas.HoldId;
import io.kiepipeline.schemas.HoldRejectionReason;
import io.kiepipeline.schemas.Ids;
import io.kiepipeline.schemas.JobId;
import io.kiepipeline.schemas.LedgerCommand;
import io.kiepipeline.schemas.ReleaseReason;
import io.kiepipeline.schemas.UserId;
import java.util.UUID;

/** Test data for the decider, as plain static factories. */
final class Money {
    static final UserId USER = new UserId(42);
    static final JobId JOB = new JobId(UUID.fromString("11111111-2222-3333-4444-555555555555"));
    static final HoldId HOLD = Ids.holdIdForJob(JOB);

    private Money() {
    }

    static AccountView anAccountWith(long available, long held) {
        return new AccountView(USER.value(), "RUB", available, held);
    }

    static HoldView aHold(HoldStatus status, long amount) {
        return new HoldView(HOLD, JOB, USER, amount, "RUB", status,
                status == HoldStatus.REJECTED ? HoldRejectionReason.INSUFFICIENT_FUNDS : null,
                status == HoldStatus.RELEASED ? ReleaseReason.TASK_FAILED : null);
    }

    static DepositView aDeposit(long amount) {
        return new DepositView(USER.value(), amount, "RUB");
    }

    static LedgerCommand.PlaceHold placeHold(long amount) {
        return new LedgerCommand.PlaceHold(HOLD, JOB, USER, amount, "RUB");
    }

    static LedgerCommand.CaptureHold captureHold() {
        return new LedgerCommand.CaptureHold(HOLD, JOB, USER);
    }

    static LedgerCommand.ReleaseHold releaseHold() {
        return new LedgerCommand.ReleaseHold(HOLD, JOB, USER, ReleaseReason.TASK_FAILED);
    }

    static LedgerCommand.DebitRequested debit(String reference, long amount) {
        return new LedgerCommand.DebitRequested(Ids.debitIdForReference(reference), USER, amount, "RUB", reference);
    }

    static LedgerCommand.DepositRequested deposit(String reference, long amount) {
        return new LedgerCommand.DepositRequested(Ids.depositIdForReference(reference), USER, amount, "RUB",
                reference);
    }
}
