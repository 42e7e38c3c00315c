package io.kiepipeline.ledger.accounts;

import io.kiepipeline.ledger.journal.Journal;
import io.kiepipeline.ledger.journal.Journal.Entry;
import io.kiepipeline.ledger.journal.Journal.Kind;
import io.kiepipeline.platform.inbox.Inbox;
import io.kiepipeline.platform.messaging.Envelope;
import io.kiepipeline.platform.outbox.OutboxWriter;
import io.kiepipeline.schemas.HoldId;
import io.kiepipeline.schemas.HoldRejectionReason;
import io.kiepipeline.schemas.JobId;
import io.kiepipeline.schemas.LedgerCommand;
import io.kiepipeline.schemas.LedgerCommand.CaptureHold;
import io.kiepipeline.schemas.LedgerCommand.DepositRequested;
import io.kiepipeline.schemas.LedgerCommand.PlaceHold;
import io.kiepipeline.schemas.LedgerCommand.ReleaseHold;
import io.kiepipeline.schemas.LedgerEvent;
import io.kiepipeline.schemas.UserId;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Applies ledger commands. Each command runs in one database transaction that records its event id (a redelivered
 * message changes nothing), moves the balances, appends the balanced journal entries and writes the resulting event
 * to the outbox. A repeated command for the same hold or deposit answers with the outcome it already had.
 */
@Service
public class Ledger {
    static final String CONSUMER = "ledger";
    private static final Logger log = LoggerFactory.getLogger(Ledger.class);

    private final AccountRepository accounts;
    private final HoldRepository holds;
    private final DepositRepository deposits;
    private final Journal journal;
    private final Inbox inbox;
    private final OutboxWriter outbox;
    private final Clock clock;
    private final String currency;

    public Ledger(AccountRepository accounts, HoldRepository holds, DepositRepository deposits, Journal journal,
                  Inbox inbox, OutboxWriter outbox, Clock clock, @Value("${pipeline.currency}") String currency) {
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
        String causation = envelope.eventId().toString();
        Instant now = clock.instant();
        return switch (command) {
            case PlaceHold c -> placeHold(c, causation, now);
            case CaptureHold c -> captureHold(c, causation, now);
            case ReleaseHold c -> releaseHold(c, causation, now);
            case DepositRequested c -> deposit(c, causation, now);
        };
    }

    private LedgerOutcome placeHold(PlaceHold c, String causation, Instant now) {
        String correlation = c.jobId().toString();
        Optional<Hold> existing = holds.findById(c.holdId().value());
        if (existing.isPresent()) {
            Hold h = existing.get();
            if (h.amountMinor() != c.amountMinor() && h.status() != Hold.Status.REJECTED) {
                log.atError().addKeyValue("jobId", c.jobId()).addKeyValue("holdId", c.holdId())
                        .log("hold.exists-with-different-amount");
                return LedgerOutcome.EXISTS_WITH_DIFFERENT_AMOUNT;
            }
            Account account = accountOf(c.userId().value(), now);
            outbox.append(h.status() == Hold.Status.REJECTED
                    ? new LedgerEvent.HoldRejected(c.holdId(), c.jobId(), c.userId(), c.amountMinor(), c.currency(),
                    h.rejectReason(), account.availableMinor(), account.heldMinor())
                    : new LedgerEvent.HoldPlaced(c.holdId(), c.jobId(), c.userId(), h.amountMinor(), h.currency(),
                    account.availableMinor(), account.heldMinor()), correlation, causation);
            return LedgerOutcome.ALREADY_APPLIED;
        }
        Account account = accountOf(c.userId().value(), now);
        HoldRejectionReason refusal = c.amountMinor() <= 0 ? HoldRejectionReason.INVALID_AMOUNT
                : !account.currency().equals(c.currency()) ? HoldRejectionReason.CURRENCY_MISMATCH
                : !account.covers(c.amountMinor()) ? HoldRejectionReason.INSUFFICIENT_FUNDS
                : null;
        if (refusal != null) {
            holds.save(Hold.rejected(c.holdId().value(), c.jobId().value(), c.userId().value(), c.amountMinor(),
                    c.currency(), refusal, now));
            outbox.append(new LedgerEvent.HoldRejected(c.holdId(), c.jobId(), c.userId(), c.amountMinor(),
                    c.currency(), refusal, account.availableMinor(), account.heldMinor()), correlation, causation);
            log.atInfo().addKeyValue("jobId", c.jobId()).addKeyValue("userId", c.userId())
                    .addKeyValue("amountMinor", c.amountMinor()).addKeyValue("reason", refusal)
                    .addKeyValue("availableMinor", account.availableMinor()).log("hold.rejected");
            return LedgerOutcome.REJECTED;
        }
        account.hold(c.amountMinor(), now);
        accounts.save(account);
        holds.save(Hold.placed(c.holdId().value(), c.jobId().value(), c.userId().value(), c.amountMinor(),
                c.currency(), now));
        long user = c.userId().value();
        journal.transfer(Kind.HOLD, c.holdId().toString(), user, c.currency(), now,
                new Entry(Journal.available(user), user, -c.amountMinor()),
                new Entry(Journal.held(user), user, c.amountMinor()));
        outbox.append(new LedgerEvent.HoldPlaced(c.holdId(), c.jobId(), c.userId(), c.amountMinor(), c.currency(),
                account.availableMinor(), account.heldMinor()), correlation, causation);
        log.atInfo().addKeyValue("jobId", c.jobId()).addKeyValue("userId", c.userId())
                .addKeyValue("amountMinor", c.amountMinor()).addKeyValue("availableMinor", account.availableMinor())
                .addKeyValue("heldMinor", account.heldMinor()).log("hold.placed");
        return LedgerOutcome.APPLIED;
    }

    private LedgerOutcome captureHold(CaptureHold c, String causation, Instant now) {
        Optional<Hold> found = holds.findById(c.holdId().value());
        if (found.isEmpty()) {
            return unknownHold(c.holdId(), c.jobId(), "capture");
        }
        Hold h = found.get();
        Account account = accountOf(h.userId(), now);
        switch (h.status()) {
            case CAPTURED -> {
                outbox.append(captured(h, account), c.jobId().toString(), causation);
                return LedgerOutcome.ALREADY_APPLIED;
            }
            case RELEASED -> {
                log.atError().addKeyValue("jobId", c.jobId()).addKeyValue("holdId", c.holdId())
                        .log("hold.capture-refused; the hold was already released");
                return LedgerOutcome.HOLD_ALREADY_RELEASED;
            }
            case REJECTED -> {
                log.atError().addKeyValue("jobId", c.jobId()).addKeyValue("holdId", c.holdId())
                        .log("hold.capture-refused; the hold was never placed");
                return LedgerOutcome.HOLD_WAS_REJECTED;
            }
            case PLACED -> {
                h.capture(now);
                account.capture(h.amountMinor(), now);
                accounts.save(account);
                holds.save(h);
                journal.transfer(Kind.CAPTURE, h.holdId().toString(), h.userId(), h.currency(), now,
                        new Entry(Journal.held(h.userId()), h.userId(), -h.amountMinor()),
                        new Entry(Journal.REVENUE, null, h.amountMinor()));
                outbox.append(captured(h, account), c.jobId().toString(), causation);
                log.atInfo().addKeyValue("jobId", c.jobId()).addKeyValue("userId", h.userId())
                        .addKeyValue("amountMinor", h.amountMinor()).addKeyValue("heldMinor", account.heldMinor())
                        .log("hold.captured");
                return LedgerOutcome.APPLIED;
            }
        }
        throw new IllegalStateException("unreachable");
    }

    private LedgerOutcome releaseHold(ReleaseHold c, String causation, Instant now) {
        Optional<Hold> found = holds.findById(c.holdId().value());
        if (found.isEmpty()) {
            return unknownHold(c.holdId(), c.jobId(), "release");
        }
        Hold h = found.get();
        Account account = accountOf(h.userId(), now);
        switch (h.status()) {
            case RELEASED -> {
                outbox.append(released(h, account), c.jobId().toString(), causation);
                return LedgerOutcome.ALREADY_APPLIED;
            }
            case CAPTURED -> {
                log.atError().addKeyValue("jobId", c.jobId()).addKeyValue("holdId", c.holdId())
                        .log("hold.release-refused; the hold was already captured");
                return LedgerOutcome.HOLD_ALREADY_CAPTURED;
            }
            case REJECTED -> {
                return LedgerOutcome.HOLD_WAS_REJECTED;
            }
            case PLACED -> {
                h.release(c.reason(), now);
                account.release(h.amountMinor(), now);
                accounts.save(account);
                holds.save(h);
                journal.transfer(Kind.RELEASE, h.holdId().toString(), h.userId(), h.currency(), now,
                        new Entry(Journal.held(h.userId()), h.userId(), -h.amountMinor()),
                        new Entry(Journal.available(h.userId()), h.userId(), h.amountMinor()));
                outbox.append(released(h, account), c.jobId().toString(), causation);
                log.atInfo().addKeyValue("jobId", c.jobId()).addKeyValue("userId", h.userId())
                        .addKeyValue("amountMinor", h.amountMinor()).addKeyValue("reason", c.reason())
                        .addKeyValue("availableMinor", account.availableMinor()).log("hold.released");
                return LedgerOutcome.APPLIED;
            }
        }
        throw new IllegalStateException("unreachable");
    }

    private LedgerOutcome deposit(DepositRequested c, String causation, Instant now) {
        Optional<Deposit> existing = deposits.findByReference(c.reference());
        Account account = accountOf(c.userId().value(), now);
        if (existing.isPresent()) {
            Deposit d = existing.get();
            if (d.amountMinor() != c.amountMinor() || d.userId() != c.userId().value()) {
                log.atWarn().addKeyValue("userId", c.userId()).addKeyValue("reference", c.reference())
                        .log("deposit.exists-with-different-amount");
                return LedgerOutcome.EXISTS_WITH_DIFFERENT_AMOUNT;
            }
            outbox.append(new LedgerEvent.FundsDeposited(c.depositId(), c.userId(), d.amountMinor(), d.currency(),
                    c.reference(), account.availableMinor(), account.heldMinor()), null, causation);
            return LedgerOutcome.ALREADY_APPLIED;
        }
        if (c.amountMinor() <= 0 || !account.currency().equals(c.currency())) {
            log.atWarn().addKeyValue("userId", c.userId()).addKeyValue("reference", c.reference())
                    .log("deposit.refused; bad amount or currency");
            return LedgerOutcome.REJECTED;
        }
        long user = c.userId().value();
        account.deposit(c.amountMinor(), now);
        accounts.save(account);
        deposits.save(new Deposit(c.depositId().value(), c.reference(), user, c.amountMinor(), c.currency(), now));
        journal.transfer(Kind.DEPOSIT, c.reference(), user, c.currency(), now,
                new Entry(Journal.DEPOSITS, null, -c.amountMinor()),
                new Entry(Journal.available(user), user, c.amountMinor()));
        outbox.append(new LedgerEvent.FundsDeposited(c.depositId(), c.userId(), c.amountMinor(), c.currency(),
                c.reference(), account.availableMinor(), account.heldMinor()), null, causation);
        log.atInfo().addKeyValue("userId", c.userId()).addKeyValue("amountMinor", c.amountMinor())
                .addKeyValue("reference", c.reference()).addKeyValue("availableMinor", account.availableMinor())
                .log("funds.deposited");
        return LedgerOutcome.APPLIED;
    }

    private LedgerOutcome unknownHold(HoldId holdId, JobId jobId, String what) {
        log.atError().addKeyValue("jobId", jobId).addKeyValue("holdId", holdId)
                .log("hold." + what + "-refused; no such hold");
        return LedgerOutcome.HOLD_NOT_FOUND;
    }

    private LedgerEvent captured(Hold h, Account account) {
        return new LedgerEvent.HoldCaptured(new HoldId(h.holdId()), new JobId(h.jobId()), new UserId(h.userId()),
                h.amountMinor(), h.currency(), account.availableMinor(), account.heldMinor());
    }

    private LedgerEvent released(Hold h, Account account) {
        return new LedgerEvent.HoldReleased(new HoldId(h.holdId()), new JobId(h.jobId()), new UserId(h.userId()),
                h.amountMinor(), h.currency(), h.releaseReason(), account.availableMinor(), account.heldMinor());
    }

    /** The user's account, opened empty in the service currency on first use. */
    private Account accountOf(long userId, Instant now) {
        return accounts.findById(userId).orElseGet(() -> accounts.save(new Account(userId, currency, now)));
    }
}
