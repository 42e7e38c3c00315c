package io.kiepipeline.ledger.accounts;

import static io.kiepipeline.ledger.accounts.LedgerTestSupport.envelope;
import static org.assertj.core.api.Assertions.assertThat;

import io.kiepipeline.ledger.LedgerApplication;
import io.kiepipeline.platform.messaging.Envelope;
import io.kiepipeline.schemas.EventId;
import io.kiepipeline.schemas.HoldId;
import io.kiepipeline.schemas.Ids;
import io.kiepipeline.schemas.JobId;
import io.kiepipeline.schemas.LedgerCommand;
import io.kiepipeline.schemas.LedgerCommand.CaptureHold;
import io.kiepipeline.schemas.LedgerCommand.DepositRequested;
import io.kiepipeline.schemas.LedgerCommand.PlaceHold;
import io.kiepipeline.schemas.LedgerCommand.ReleaseHold;
import io.kiepipeline.schemas.ReleaseReason;
import io.kiepipeline.schemas.UserId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A seeded random workload (deposits, debits, holds, captures, releases; repeated, redelivered and out of order) checked
 * command by command against a simple in-memory auditor, then balance by balance against the journal. A failure
 * prints its seed; run again with {@code -Dledger.seed=<seed>} to replay it.
 */
@SpringBootTest(classes = LedgerApplication.class, properties = "spring.config.name=ledger")
class LedgerWorkloadTest {
    private static final int OPERATIONS = 600;

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        LedgerTestSupport.properties(registry);
    }

    @Autowired
    Ledger ledger;
    @Autowired
    AccountRepository accounts;
    @Autowired
    JdbcTemplate jdbc;

    @Test
    void everyOutcomeAndBalanceMatchesTheAuditor() {
        long seed = Long.getLong("ledger.seed", System.nanoTime());
        Random random = new Random(seed);
        Auditor auditor = new Auditor();
        long userBase = 5_000_000 + random.nextInt(1_000_000) * 10L;
        List<UserId> users = List.of(new UserId(userBase + 1), new UserId(userBase + 2), new UserId(userBase + 3));
        List<Envelope> sent = new ArrayList<>();
        for (int i = 0; i < OPERATIONS; i++) {
            Envelope envelope;
            if (!sent.isEmpty() && random.nextInt(10) == 0) {
                envelope = sent.get(random.nextInt(sent.size()));          // Kafka redelivers a message
            } else {
                envelope = envelope(auditor.nextCommand(random, users));
            }
            LedgerOutcome expected = auditor.apply(envelope);
            LedgerOutcome actual = ledger.handle(envelope);
            assertThat(actual).as("seed %d, operation %d: %s", seed, i, envelope.message()).isEqualTo(expected);
            sent.add(envelope);
        }
        for (UserId user : users) {
            Auditor.Balance b = auditor.balances.getOrDefault(user.value(), new Auditor.Balance());
            Account a = accounts.findById(user.value()).orElseThrow();
            assertThat(a.availableMinor()).as("seed %d user %s available", seed, user).isEqualTo(b.available);
            assertThat(a.heldMinor()).as("seed %d user %s held", seed, user).isEqualTo(b.held);
            assertThat(a.capturedMinor()).as("seed %d user %s captured", seed, user).isEqualTo(b.captured);
            assertThat(a.debitedMinor()).as("seed %d user %s debited", seed, user).isEqualTo(b.debited);
            assertThat(a.depositedMinor() - a.debitedMinor())
                    .isEqualTo(a.availableMinor() + a.heldMinor() + a.capturedMinor());
            assertThat(journal("user:" + user + ":available")).as("seed %d journal", seed).isEqualTo(b.available);
            assertThat(journal("user:" + user + ":held")).as("seed %d journal", seed).isEqualTo(b.held);
        }
    }

    private long journal(String account) {
        Long sum = jdbc.queryForObject("select coalesce(sum(amount_minor), 0) from journal_entry where account = ?",
                Long.class, account);
        return sum == null ? 0 : sum;
    }

    /** The ledger's rules, written as plainly as possible, in memory. */
    static final class Auditor {
        static final class Balance {
            long available;
            long held;
            long captured;
            long debited;
        }

        enum Status { PLACED, CAPTURED, RELEASED, REJECTED }

        record Hold(HoldId id, JobId job, UserId user, long amount, Status status) {
        }

        final Map<Long, Balance> balances = new HashMap<>();
        final Map<HoldId, Hold> holds = new HashMap<>();
        final Map<String, DepositRequested> deposits = new HashMap<>();
        /** Debits applied (a refused one is not remembered: the same reference may succeed later). */
        final Map<String, LedgerCommand.DebitRequested> debits = new HashMap<>();
        final java.util.Set<EventId> seen = new java.util.HashSet<>();
        final List<Hold> known = new ArrayList<>();

        LedgerCommand nextCommand(Random r, List<UserId> users) {
            UserId user = users.get(r.nextInt(users.size()));
            int kind = r.nextInt(100);
            if (kind < 20) {
                String ref = deposits.isEmpty() || r.nextInt(5) > 0 ? "dep-" + UUID.randomUUID()
                        : new ArrayList<>(deposits.keySet()).get(r.nextInt(deposits.size()));
                DepositRequested previous = deposits.get(ref);
                UserId to = previous != null ? previous.userId() : user;
                long amount = previous != null && r.nextBoolean() ? previous.amountMinor() : 1 + r.nextInt(3_000);
                return new DepositRequested(Ids.depositIdForReference(ref), to, amount, "RUB", ref);
            }
            if (kind < 28) {
                String ref = debits.isEmpty() || r.nextInt(4) > 0 ? "deb-" + UUID.randomUUID()
                        : new ArrayList<>(debits.keySet()).get(r.nextInt(debits.size()));
                LedgerCommand.DebitRequested previous = debits.get(ref);
                UserId from = previous != null ? previous.userId() : user;
                long amount = previous != null && r.nextBoolean() ? previous.amountMinor() : 1 + r.nextInt(2_500);
                return new LedgerCommand.DebitRequested(Ids.debitIdForReference(ref), from, amount, "RUB", ref);
            }
            if (kind < 55 || known.isEmpty()) {
                if (!known.isEmpty() && r.nextInt(6) == 0) {
                    Hold h = known.get(r.nextInt(known.size()));
                    long amount = r.nextBoolean() ? h.amount() : h.amount() + 1;
                    return new PlaceHold(h.id(), h.job(), h.user(), amount, "RUB");
                }
                JobId job = new JobId(UUID.randomUUID());
                long amount = 1 + r.nextInt(1_500);
                known.add(new Hold(Ids.holdIdForJob(job), job, user, amount, null));
                return new PlaceHold(Ids.holdIdForJob(job), job, user, amount, "RUB");
            }
            Hold h = known.get(r.nextInt(known.size()));
            if (r.nextInt(12) == 0) {
                JobId stranger = new JobId(UUID.randomUUID());
                return new CaptureHold(Ids.holdIdForJob(stranger), stranger, user);
            }
            return kind < 80 ? new CaptureHold(h.id(), h.job(), h.user())
                    : new ReleaseHold(h.id(), h.job(), h.user(), ReleaseReason.TASK_FAILED);
        }

        LedgerOutcome apply(Envelope envelope) {
            if (!seen.add(envelope.eventId())) {
                return LedgerOutcome.DUPLICATE_MESSAGE;
            }
            return switch ((LedgerCommand) envelope.message()) {
                case DepositRequested d -> deposit(d);
                case PlaceHold p -> place(p);
                case CaptureHold c -> resolve(c.holdId(), true);
                case ReleaseHold rl -> resolve(rl.holdId(), false);
                case LedgerCommand.DebitRequested d -> debit(d);
            };
        }

        private LedgerOutcome debit(LedgerCommand.DebitRequested d) {
            LedgerCommand.DebitRequested previous = debits.get(d.reference());
            Balance b = balance(d.userId().value());
            if (previous != null) {
                return previous.amountMinor() == d.amountMinor() && previous.userId().equals(d.userId())
                        ? LedgerOutcome.ALREADY_APPLIED : LedgerOutcome.EXISTS_WITH_DIFFERENT_AMOUNT;
            }
            if (b.available < d.amountMinor()) {
                return LedgerOutcome.REJECTED;
            }
            debits.put(d.reference(), d);
            b.available -= d.amountMinor();
            b.debited += d.amountMinor();
            return LedgerOutcome.APPLIED;
        }

        private LedgerOutcome deposit(DepositRequested d) {
            DepositRequested previous = deposits.get(d.reference());
            balance(d.userId().value());
            if (previous != null) {
                return previous.amountMinor() == d.amountMinor() && previous.userId().equals(d.userId())
                        ? LedgerOutcome.ALREADY_APPLIED : LedgerOutcome.EXISTS_WITH_DIFFERENT_AMOUNT;
            }
            deposits.put(d.reference(), d);
            balance(d.userId().value()).available += d.amountMinor();
            return LedgerOutcome.APPLIED;
        }

        private LedgerOutcome place(PlaceHold p) {
            Hold existing = holds.get(p.holdId());
            Balance b = balance(p.userId().value());
            if (existing != null) {
                return existing.amount() != p.amountMinor() && existing.status() != Status.REJECTED
                        ? LedgerOutcome.EXISTS_WITH_DIFFERENT_AMOUNT : LedgerOutcome.ALREADY_APPLIED;
            }
            if (b.available < p.amountMinor()) {
                holds.put(p.holdId(), new Hold(p.holdId(), p.jobId(), p.userId(), p.amountMinor(), Status.REJECTED));
                return LedgerOutcome.REJECTED;
            }
            b.available -= p.amountMinor();
            b.held += p.amountMinor();
            holds.put(p.holdId(), new Hold(p.holdId(), p.jobId(), p.userId(), p.amountMinor(), Status.PLACED));
            return LedgerOutcome.APPLIED;
        }

        private LedgerOutcome resolve(HoldId id, boolean capture) {
            Hold h = holds.get(id);
            if (h == null) {
                return LedgerOutcome.HOLD_NOT_FOUND;
            }
            switch (h.status()) {
                case REJECTED:
                    return LedgerOutcome.HOLD_WAS_REJECTED;
                case CAPTURED:
                    return capture ? LedgerOutcome.ALREADY_APPLIED : LedgerOutcome.HOLD_ALREADY_CAPTURED;
                case RELEASED:
                    return capture ? LedgerOutcome.HOLD_ALREADY_RELEASED : LedgerOutcome.ALREADY_APPLIED;
                default:
                    Balance b = balance(h.user().value());
                    b.held -= h.amount();
                    if (capture) {
                        b.captured += h.amount();
                    } else {
                        b.available += h.amount();
                    }
                    holds.put(id, new Hold(h.id(), h.job(), h.user(), h.amount(),
                            capture ? Status.CAPTURED : Status.RELEASED));
                    return LedgerOutcome.APPLIED;
            }
        }

        private Balance balance(long user) {
            return balances.computeIfAbsent(user, u -> new Balance());
        }
    }
}
