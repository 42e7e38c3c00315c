package io.kiepipeline.ledger.decider;

import static io.kiepipeline.ledger.decider.LedgerSpec.given;
import static io.kiepipeline.ledger.decider.Money.aDeposit;
import static io.kiepipeline.ledger.decider.Money.aHold;
import static io.kiepipeline.ledger.decider.Money.anAccountWith;
import static io.kiepipeline.ledger.decider.Money.captureHold;
import static io.kiepipeline.ledger.decider.Money.deposit;
import static io.kiepipeline.ledger.decider.Money.placeHold;
import static io.kiepipeline.ledger.decider.Money.releaseHold;
import static org.assertj.core.api.Assertions.assertThat;

import io.kiepipeline.ledger.decider.LedgerDecider.Change;
import io.kiepipeline.ledger.decider.LedgerDecider.HoldStatus;
import io.kiepipeline.ledger.decider.LedgerDecider.Outcome;
import io.kiepipeline.schemas.DepositRefusalReason;
import io.kiepipeline.schemas.HoldCommandKind;
import io.kiepipeline.schemas.HoldRefusalReason;
import io.kiepipeline.schemas.HoldRejectionReason;
import io.kiepipeline.schemas.LedgerEvent;
import io.kiepipeline.schemas.Limits;
import org.junit.jupiter.api.Test;

/** The ledger's decisions, without a database: given what is stored, when a command, then what happens. */
class LedgerDeciderTest {
    @Test
    void placesAHoldThatTheFundsCover() {
        var placed = given(anAccountWith(1_000, 0)).when(placeHold(300)).then(Outcome.APPLIED)
                .thenChanges(Change.Place.class).thenEmits(LedgerEvent.HoldPlaced.class);
        assertThat(placed.availableMinor()).isEqualTo(700);
        assertThat(placed.heldMinor()).isEqualTo(300);
    }

    @Test
    void rejectsAHoldTheFundsDoNotCover() {
        var rejected = given(anAccountWith(100, 0)).when(placeHold(300)).then(Outcome.REJECTED)
                .thenChanges(Change.Reject.class).thenEmits(LedgerEvent.HoldRejected.class);
        assertThat(rejected.reason()).isEqualTo(HoldRejectionReason.INSUFFICIENT_FUNDS);
    }

    @Test
    void announcesARepeatedHoldAgainWithoutMovingMoney() {
        given(anAccountWith(700, 300)).and(aHold(HoldStatus.PLACED, 300)).when(placeHold(300))
                .then(Outcome.ALREADY_APPLIED).thenChanges(Change.None.class)
                .thenEmits(LedgerEvent.HoldPlaced.class);
    }

    @Test
    void refusesTheSameHoldWithAnotherAmount() {
        var rejected = given(anAccountWith(700, 300)).and(aHold(HoldStatus.PLACED, 300)).when(placeHold(500))
                .then(Outcome.EXISTS_WITH_DIFFERENT_AMOUNT).thenChanges(Change.None.class)
                .thenEmits(LedgerEvent.HoldRejected.class);
        assertThat(rejected.reason()).isEqualTo(HoldRejectionReason.EXISTS_WITH_DIFFERENT_AMOUNT);
    }

    @Test
    void capturesAPlacedHold() {
        var captured = given(anAccountWith(700, 300)).and(aHold(HoldStatus.PLACED, 300)).when(captureHold())
                .then(Outcome.APPLIED).thenChanges(Change.Capture.class).thenEmits(LedgerEvent.HoldCaptured.class);
        assertThat(captured.heldMinor()).isZero();
        assertThat(captured.availableMinor()).isEqualTo(700);
    }

    @Test
    void releasesAPlacedHold() {
        var released = given(anAccountWith(700, 300)).and(aHold(HoldStatus.PLACED, 300)).when(releaseHold())
                .then(Outcome.APPLIED).thenChanges(Change.Release.class).thenEmits(LedgerEvent.HoldReleased.class);
        assertThat(released.availableMinor()).isEqualTo(1_000);
    }

    @Test
    void capturesAtMostOnce() {
        given(anAccountWith(700, 0)).and(aHold(HoldStatus.CAPTURED, 300)).when(captureHold())
                .then(Outcome.ALREADY_APPLIED).thenChanges(Change.None.class)
                .thenEmits(LedgerEvent.HoldCaptured.class);
    }

    @Test
    void saysSoWhenAskedToReleaseACapturedHold() {
        var refused = given(anAccountWith(700, 0)).and(aHold(HoldStatus.CAPTURED, 300)).when(releaseHold())
                .then(Outcome.HOLD_ALREADY_CAPTURED).thenChanges(Change.None.class)
                .thenEmits(LedgerEvent.HoldCommandRefused.class);
        assertThat(refused.command()).isEqualTo(HoldCommandKind.RELEASE);
        assertThat(refused.reason()).isEqualTo(HoldRefusalReason.HOLD_ALREADY_CAPTURED);
    }

    @Test
    void saysSoWhenAskedToCaptureAReleasedHold() {
        var refused = given(anAccountWith(1_000, 0)).and(aHold(HoldStatus.RELEASED, 300)).when(captureHold())
                .then(Outcome.HOLD_ALREADY_RELEASED).thenEmits(LedgerEvent.HoldCommandRefused.class);
        assertThat(refused.reason()).isEqualTo(HoldRefusalReason.HOLD_ALREADY_RELEASED);
    }

    @Test
    void saysSoWhenTheHoldIsUnknown() {
        var refused = given(anAccountWith(1_000, 0)).when(captureHold()).then(Outcome.HOLD_NOT_FOUND)
                .thenChanges(Change.None.class).thenEmits(LedgerEvent.HoldCommandRefused.class);
        assertThat(refused.reason()).isEqualTo(HoldRefusalReason.HOLD_NOT_FOUND);
        given(anAccountWith(1_000, 0)).and(aHold(HoldStatus.REJECTED, 300)).when(releaseHold())
                .then(Outcome.HOLD_WAS_REJECTED).thenEmits(LedgerEvent.HoldCommandRefused.class);
    }

    @Test
    void depositsANewReferenceOnce() {
        var deposited = given(anAccountWith(0, 0)).when(deposit("ref-1", 5_000)).then(Outcome.APPLIED)
                .thenChanges(Change.Deposit.class).thenEmits(LedgerEvent.FundsDeposited.class);
        assertThat(deposited.availableMinor()).isEqualTo(5_000);
        given(anAccountWith(5_000, 0)).and(aDeposit(5_000)).when(deposit("ref-1", 5_000))
                .then(Outcome.ALREADY_APPLIED).thenChanges(Change.None.class)
                .thenEmits(LedgerEvent.FundsDeposited.class);
    }

    @Test
    void refusesAReferenceReusedWithAnotherAmount() {
        var refused = given(anAccountWith(5_000, 0)).and(aDeposit(5_000)).when(deposit("ref-1", 9_000))
                .then(Outcome.EXISTS_WITH_DIFFERENT_AMOUNT).thenChanges(Change.None.class)
                .thenEmits(LedgerEvent.DepositRefused.class);
        assertThat(refused.reason()).isEqualTo(DepositRefusalReason.EXISTS_WITH_DIFFERENT_AMOUNT);
    }

    @Test
    void refusesAReferenceTheJournalCannotHold() {
        String tooLong = "r".repeat(Limits.DEPOSIT_REFERENCE + 1);
        var refused = given(anAccountWith(0, 0)).when(deposit(tooLong, 5_000)).then(Outcome.REJECTED)
                .thenChanges(Change.None.class).thenEmits(LedgerEvent.DepositRefused.class);
        assertThat(refused.reason()).isEqualTo(DepositRefusalReason.INVALID_REFERENCE);
        assertThat(refused.reference().length()).isLessThanOrEqualTo(Limits.DEPOSIT_REFERENCE);
        given(anAccountWith(0, 0)).when(deposit("r".repeat(Limits.DEPOSIT_REFERENCE), 5_000))
                .then(Outcome.APPLIED);
    }

    @Test
    void debitsWhatIsAvailableOnceAndJournalsItBackToDeposits() {
        var debited = given(anAccountWith(5_000, 1_000)).when(Money.debit("admin-debit:1", 3_000))
                .then(Outcome.APPLIED).thenChanges(Change.Debit.class).thenEmits(LedgerEvent.FundsDebited.class);
        assertThat(debited.availableMinor()).isEqualTo(2_000);
        assertThat(debited.heldMinor()).isEqualTo(1_000);
        given(anAccountWith(2_000, 1_000)).and(aDeposit(3_000)).when(Money.debit("admin-debit:1", 3_000))
                .then(Outcome.ALREADY_APPLIED).thenChanges(Change.None.class)
                .thenEmits(LedgerEvent.FundsDebited.class);
    }

    @Test
    void neverDebitsMoreThanIsAvailableNorWhatRunningJobsHold() {
        var refused = given(anAccountWith(2_000, 5_000)).when(Money.debit("admin-debit:2", 2_001))
                .then(Outcome.REJECTED).thenChanges(Change.None.class).thenEmits(LedgerEvent.DebitRefused.class);
        assertThat(refused.reason()).isEqualTo(io.kiepipeline.schemas.DebitRefusalReason.INSUFFICIENT_FUNDS);
        assertThat(refused.availableMinor()).isEqualTo(2_000);
    }

    @Test
    void refusesADebitReferenceReusedWithAnotherAmountOrWithoutAPositiveAmount() {
        given(anAccountWith(9_000, 0)).and(aDeposit(3_000)).when(Money.debit("admin-debit:3", 4_000))
                .then(Outcome.EXISTS_WITH_DIFFERENT_AMOUNT).thenEmits(LedgerEvent.DebitRefused.class);
        given(anAccountWith(9_000, 0)).when(Money.debit("admin-debit:4", 0)).then(Outcome.REJECTED)
                .thenEmits(LedgerEvent.DebitRefused.class);
    }
}
