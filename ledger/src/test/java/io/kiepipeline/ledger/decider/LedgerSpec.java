package io.kiepipeline.ledger.decider;

import static org.assertj.core.api.Assertions.assertThat;

import io.kiepipeline.ledger.decider.LedgerDecider.AccountView;
import io.kiepipeline.ledger.decider.LedgerDecider.Change;
import io.kiepipeline.ledger.decider.LedgerDecider.Decision;
import io.kiepipeline.ledger.decider.LedgerDecider.DepositView;
import io.kiepipeline.ledger.decider.LedgerDecider.HoldView;
import io.kiepipeline.ledger.decider.LedgerDecider.Outcome;
import io.kiepipeline.schemas.LedgerCommand;
import io.kiepipeline.schemas.LedgerEvent;
import java.util.Optional;

/** Given what is stored, when a command comes, then this outcome, change and event. */
final class LedgerSpec {
    private AccountView account = new AccountView(Money.USER.value(), "RUB", 0, 0);
    private Optional<HoldView> hold = Optional.empty();
    private Optional<DepositView> deposit = Optional.empty();
    private Decision decision;

    static LedgerSpec given(AccountView account) {
        LedgerSpec spec = new LedgerSpec();
        spec.account = account;
        return spec;
    }

    LedgerSpec and(HoldView existing) {
        hold = Optional.of(existing);
        return this;
    }

    LedgerSpec and(DepositView existing) {
        deposit = Optional.of(existing);
        return this;
    }

    LedgerSpec when(LedgerCommand command) {
        decision = LedgerDecider.decide(command, hold, deposit, account);
        return this;
    }

    LedgerSpec then(Outcome outcome) {
        assertThat(decision.outcome()).isEqualTo(outcome);
        return this;
    }

    LedgerSpec thenChanges(Class<? extends Change> change) {
        assertThat(decision.change()).isInstanceOf(change);
        assertThat(decision.transfer().isPresent()).as("a journal transfer exactly when money moves")
                .isEqualTo(!(decision.change() instanceof Change.None) && !(decision.change() instanceof Change.Reject));
        return this;
    }

    <E extends LedgerEvent> E thenEmits(Class<E> type) {
        assertThat(decision.events()).singleElement().isInstanceOf(type);
        return type.cast(decision.events().getFirst());
    }
}
