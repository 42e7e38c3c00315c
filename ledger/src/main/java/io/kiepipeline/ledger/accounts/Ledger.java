package io.kiepipeline.ledger.accounts;

import io.kiepipeline.ledger.decider.LedgerDecider;
import io.kiepipeline.ledger.decider.LedgerDecider.AccountView;
import io.kiepipeline.ledger.decider.LedgerDecider.Change;
import io.kiepipeline.ledger.decider.LedgerDecider.Decision;
import io.kiepipeline.ledger.decider.LedgerDecider.DepositView;
import io.kiepipeline.ledger.decider.LedgerDecider.Outcome;
import io.kiepipeline.ledger.journal.Journal;
import io.kiepipeline.platform.inbox.Inbox;
import io.kiepipeline.platform.messaging.Envelope;
import io.kiepipeline.platform.outbox.OutboxWriter;
import io.kiepipeline.schemas.LedgerCommand;
import io.kiepipeline.schemas.LedgerCommand.CaptureHold;
import io.kiepipeline.schemas.LedgerCommand.DepositRequested;
import io.kiepipeline.schemas.LedgerCommand.PlaceHold;
import io.kiepipeline.schemas.LedgerCommand.ReleaseHold;
import io.kiepipeline.schemas.LedgerEvent;
import io.kiepipeline.schemas.Limits;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Applies ledger commands. Each command runs in one database transaction that records its event id (a redelivered
 * message changes nothing), asks the pure {@link LedgerDecider} what it does, moves the balances, appends the
 * balanced journal transfer and writes the resulting event to the outbox. A repeated command for the same hold or
 * deposit answers with the outcome it already had; a refused one says so with an event, never with silence.
 */
@Service
public class Ledger {
    static final String CONSUMER = "ledger";
    private static final Logger log = LoggerFactory.getLogger(Ledger.class);

    private final AccountRepository accounts;
    private final HoldRepository holds;
    private final DepositRepository deposits;
    private final DebitRepository debits;
    private final Journal journal;
    private final Inbox inbox;
    private final OutboxWriter outbox;
    private final Clock clock;
    private final String currency;
    private final LedgerMetrics metrics;

    public Ledger(AccountRepository accounts, HoldRepository holds, DepositRepository deposits,
                  DebitRepository debits, Journal journal, Inbox inbox, OutboxWriter outbox, Clock clock,
                  io.kiepipeline.platform.config.PlatformProperties platform, LedgerMetrics metrics) {
        String currency = platform.currency();
        this.metrics = metrics;
        this.debits = debits;
        this.accounts = accounts;
        this.holds = holds;
        this.deposits = deposits;
        this.journal = journal;
        this.inbox = inbox;
        this.outbox = outbox;
        this.clock = clock;
        this.currency = currency;
    }

    @Transactional
    public LedgerOutcome handle(Envelope envelope) {
        if (!inbox.firstDelivery(CONSUMER, envelope.eventId())) {
            return LedgerOutcome.DUPLICATE_MESSAGE;
        }
        LedgerCommand command = (LedgerCommand) envelope.message();
        Instant now = clock.instant();
        Optional<Hold> hold = switch (command) {
            case PlaceHold c -> holds.findById(c.holdId().value());
            case CaptureHold c -> holds.findById(c.holdId().value());
            case ReleaseHold c -> holds.findById(c.holdId().value());
            case DepositRequested c -> Optional.empty();
            case LedgerCommand.DebitRequested c -> Optional.empty();
        };
        Optional<DepositView> deposit = switch (command) {
            case DepositRequested c when c.reference() != null && c.reference().length() <= Limits.DEPOSIT_REFERENCE
                    -> deposits.findByReference(c.reference()).map(d -> new DepositView(d.userId(), d.amountMinor(),
                    d.currency()));
            case LedgerCommand.DebitRequested c when c.reference() != null
                    && c.reference().length() <= Limits.DEPOSIT_REFERENCE
                    -> debits.findByReference(c.reference()).map(d -> new DepositView(d.userId(), d.amountMinor(),
                    d.currency()));
            default -> Optional.empty();
        };
        // a known hold moves the balances of the user it belongs to, whatever the command says
        long userId = hold.map(Hold::userId).orElse(command.userId().value());
        Account account = accountOf(userId, now);
        Decision decision = LedgerDecider.decide(command, hold.map(Hold::view), deposit,
                new AccountView(account.userId(), account.currency(), account.availableMinor(),
                        account.heldMinor()));
        apply(command, decision, hold, account, now);
        String correlation = switch (command) {
            case PlaceHold c -> c.jobId().toString();
            case CaptureHold c -> c.jobId().toString();
            case ReleaseHold c -> c.jobId().toString();
            case DepositRequested c -> null;
            case LedgerCommand.DebitRequested c -> null;
        };
        for (LedgerEvent event : decision.events()) {
            outbox.append(event, correlation, envelope.eventId().toString());
        }
        log(command, decision, account);
        return LedgerOutcome.valueOf(decision.outcome().name());
    }

    /** A top-up the database refused to store (its reference or currency): refused with an event, nothing moved. */
    @Transactional
    public void refuseDeposit(Envelope envelope, DepositRequested c) {
        if (!inbox.firstDelivery(CONSUMER, envelope.eventId())) {
            return;
        }
        Account account = accountOf(c.userId().value(), clock.instant());
        outbox.append(new LedgerEvent.DepositRefused(c.depositId(), c.userId(), c.amountMinor(),
                Limits.cut(c.currency(), 3), Limits.cap(c.reference(), Limits.DEPOSIT_REFERENCE),
                io.kiepipeline.schemas.DepositRefusalReason.INVALID_REFERENCE, account.availableMinor(),
                account.heldMinor()), null, envelope.eventId().toString());
        log.atWarn().addKeyValue("userId", c.userId()).addKeyValue("reason", "INVALID_REFERENCE")
                .log("deposit.refused; content refused by the database");
    }

    /** A debit the database refused to store (its reference or currency): refused with an event, nothing taken. */
    @Transactional
    public void refuseDebit(Envelope envelope, LedgerCommand.DebitRequested c) {
        if (!inbox.firstDelivery(CONSUMER, envelope.eventId())) {
            return;
        }
        Account account = accountOf(c.userId().value(), clock.instant());
        outbox.append(new LedgerEvent.DebitRefused(c.debitId(), c.userId(), c.amountMinor(),
                Limits.cut(c.currency(), 3), Limits.cap(c.reference(), Limits.DEPOSIT_REFERENCE),
                io.kiepipeline.schemas.DebitRefusalReason.INVALID_REFERENCE, account.availableMinor(),
                account.heldMinor()), null, envelope.eventId().toString());
        log.atWarn().addKeyValue("userId", c.userId()).addKeyValue("reason", "INVALID_REFERENCE")
                .log("debit.refused; content refused by the database");
    }

    /** Applies what the decider decided: the account, the hold or top-up, and the journal transfer. */
    private void apply(LedgerCommand command, Decision decision, Optional<Hold> hold, Account account, Instant now) {
        switch (decision.change()) {
            case Change.None n -> {
                return;
            }
            case Change.Place p -> {
                PlaceHold c = (PlaceHold) command;
                account.hold(p.amountMinor(), now);
                holds.save(Hold.placed(c.holdId().value(), c.jobId().value(), c.userId().value(), p.amountMinor(),
                        c.currency(), now));
                metrics.hold("placed", p.amountMinor(), c.currency());
            }
            case Change.Reject r -> {
                PlaceHold c = (PlaceHold) command;
                holds.save(Hold.rejected(c.holdId().value(), c.jobId().value(), c.userId().value(), r.amountMinor(),
                        Limits.cut(c.currency(), 3), r.reason(), now));
                metrics.hold("rejected", r.amountMinor(), Limits.cut(c.currency(), 3));
            }
            case Change.Capture c -> {
                Hold h = hold.orElseThrow();
                h.capture(now);
                account.capture(c.amountMinor(), now);
                holds.save(h);
                metrics.hold("captured", c.amountMinor(), h.currency());
            }
            case Change.Release r -> {
                Hold h = hold.orElseThrow();
                h.release(r.reason(), now);
                account.release(r.amountMinor(), now);
                holds.save(h);
                metrics.hold("released", r.amountMinor(), h.currency());
            }
            case Change.Debit d -> {
                LedgerCommand.DebitRequested c = (LedgerCommand.DebitRequested) command;
                account.debit(d.amountMinor(), now);
                debits.save(new Debit(c.debitId().value(), c.reference(), account.userId(), d.amountMinor(),
                        c.currency(), now));
                metrics.movement("debit", d.amountMinor(), c.currency());
            }
            case Change.Deposit d -> {
                DepositRequested c = (DepositRequested) command;
                account.deposit(d.amountMinor(), now);
                deposits.save(new Deposit(c.depositId().value(), c.reference(), account.userId(), d.amountMinor(),
                        c.currency(), now));
                metrics.movement("deposit", d.amountMinor(), c.currency());
            }
        }
        accounts.save(account);
        decision.transfer().ifPresent(t -> journal.transfer(t, now));
    }

    private static void log(LedgerCommand command, Decision decision, Account account) {
        LedgerEvent event = decision.events().getFirst();
        var line = switch (decision.outcome()) {
            case APPLIED, ALREADY_APPLIED -> log.atInfo();
            case REJECTED -> command instanceof PlaceHold ? log.atInfo() : log.atWarn();
            case HOLD_NOT_FOUND, HOLD_ALREADY_CAPTURED, HOLD_ALREADY_RELEASED, HOLD_WAS_REJECTED,
                 EXISTS_WITH_DIFFERENT_AMOUNT -> log.atError();
        };
        line = line.addKeyValue("userId", event.userId()).addKeyValue("outcome", decision.outcome())
                .addKeyValue("availableMinor", account.availableMinor())
                .addKeyValue("heldMinor", account.heldMinor());
        String step = switch (event) {
            case LedgerEvent.HoldPlaced e -> {
                line = line.addKeyValue("jobId", e.jobId()).addKeyValue("amountMinor", e.amountMinor());
                yield "hold.placed";
            }
            case LedgerEvent.HoldRejected e -> {
                line = line.addKeyValue("jobId", e.jobId()).addKeyValue("amountMinor", e.amountMinor())
                        .addKeyValue("reason", e.reason());
                yield "hold.rejected";
            }
            case LedgerEvent.HoldCaptured e -> {
                line = line.addKeyValue("jobId", e.jobId()).addKeyValue("amountMinor", e.amountMinor());
                yield "hold.captured";
            }
            case LedgerEvent.HoldReleased e -> {
                line = line.addKeyValue("jobId", e.jobId()).addKeyValue("amountMinor", e.amountMinor())
                        .addKeyValue("reason", e.reason());
                yield "hold.released";
            }
            case LedgerEvent.HoldCommandRefused e -> {
                line = line.addKeyValue("jobId", e.jobId()).addKeyValue("holdId", e.holdId())
                        .addKeyValue("command", e.command()).addKeyValue("reason", e.reason());
                yield "hold.command-refused";
            }
            case LedgerEvent.FundsDeposited e -> {
                line = line.addKeyValue("amountMinor", e.amountMinor()).addKeyValue("reference", e.reference());
                yield "funds.deposited";
            }
            case LedgerEvent.FundsDebited e -> {
                line = line.addKeyValue("amountMinor", e.amountMinor()).addKeyValue("reference", e.reference());
                yield "funds.debited";
            }
            case LedgerEvent.DebitRefused e -> {
                line = line.addKeyValue("amountMinor", e.amountMinor())
                        .addKeyValue("reference", Limits.cap(e.reference(), 80)).addKeyValue("reason", e.reason());
                yield "debit.refused";
            }
            case LedgerEvent.DepositRefused e -> {
                line = line.addKeyValue("amountMinor", e.amountMinor())
                        .addKeyValue("reference", Limits.cap(e.reference(), 80)).addKeyValue("reason", e.reason());
                yield "deposit.refused";
            }
        };
        line.log(decision.outcome() == Outcome.ALREADY_APPLIED ? step + "; already applied, announced again" : step);
    }

    /** The user's account, opened empty in the service currency on first use. */
    private Account accountOf(long userId, Instant now) {
        return accounts.findById(userId).orElseGet(() -> accounts.save(new Account(userId, currency, now)));
    }
}
