package io.kiepipeline.ledger.accounts;

import static io.kiepipeline.ledger.accounts.LedgerTestSupport.envelope;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kiepipeline.ledger.LedgerApplication;
import io.kiepipeline.platform.messaging.Envelope;
import io.kiepipeline.schemas.HoldId;
import io.kiepipeline.schemas.Ids;
import io.kiepipeline.schemas.JobId;
import io.kiepipeline.schemas.LedgerCommand.CaptureHold;
import io.kiepipeline.schemas.LedgerCommand.DepositRequested;
import io.kiepipeline.schemas.LedgerCommand.PlaceHold;
import io.kiepipeline.schemas.LedgerCommand.ReleaseHold;
import io.kiepipeline.schemas.ReleaseReason;
import io.kiepipeline.schemas.UserId;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.support.TransactionTemplate;

/** One test per guarantee in ledger/README.md. */
@SpringBootTest(classes = LedgerApplication.class, properties = "spring.config.name=ledger")
class LedgerGuaranteesTest {
    private static final AtomicLong USERS = new AtomicLong(1_000);

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        LedgerTestSupport.properties(registry);
    }

    @Autowired
    Ledger ledger;
    @Autowired
    LedgerCommandListener listener;
    @Autowired
    AccountRepository accounts;
    @Autowired
    JdbcTemplate jdbc;
    @Autowired
    TransactionTemplate tx;

    @Test
    void aHoldResolvesAtMostOnce() {
        UserId user = aUserWith(1_000);
        JobId job = aJob();
        HoldId hold = Ids.holdIdForJob(job);
        assertThat(apply(new PlaceHold(hold, job, user, 300, "RUB"))).isEqualTo(LedgerOutcome.APPLIED);

        assertThat(apply(new CaptureHold(hold, job, user))).isEqualTo(LedgerOutcome.APPLIED);
        assertThat(apply(new ReleaseHold(hold, job, user, ReleaseReason.TASK_FAILED)))
                .isEqualTo(LedgerOutcome.HOLD_ALREADY_CAPTURED);
        assertThat(apply(new CaptureHold(hold, job, user))).isEqualTo(LedgerOutcome.ALREADY_APPLIED);

        assertThat(count("select count(*) from ledger_transaction where reference like ?", "CAPTURE:" + hold))
                .isEqualTo(1);
        assertThat(count("select count(*) from ledger_transaction where reference like ?", "RELEASE:" + hold))
                .isZero();
        Account a = accounts.findById(user.value()).orElseThrow();
        assertThat(a.availableMinor()).isEqualTo(700);
        assertThat(a.heldMinor()).isZero();
        assertThat(a.capturedMinor()).isEqualTo(300);
    }

    @Test
    void aReleasedHoldIsNeverCaptured() {
        UserId user = aUserWith(1_000);
        JobId job = aJob();
        HoldId hold = Ids.holdIdForJob(job);
        apply(new PlaceHold(hold, job, user, 300, "RUB"));

        assertThat(apply(new ReleaseHold(hold, job, user, ReleaseReason.KIE_REJECTED)))
                .isEqualTo(LedgerOutcome.APPLIED);
        assertThat(apply(new CaptureHold(hold, job, user))).isEqualTo(LedgerOutcome.HOLD_ALREADY_RELEASED);

        Account a = accounts.findById(user.value()).orElseThrow();
        assertThat(a.availableMinor()).isEqualTo(1_000);
        assertThat(a.capturedMinor()).isZero();
    }

    @Test
    void availableNeverGoesBelowZero() {
        UserId user = aUserWith(1_000);

        assertThat(apply(new PlaceHold(Ids.holdIdForJob(aJob()), aJob(), user, 600, "RUB")))
                .isEqualTo(LedgerOutcome.APPLIED);
        JobId second = aJob();
        assertThat(apply(new PlaceHold(Ids.holdIdForJob(second), second, user, 600, "RUB")))
                .isEqualTo(LedgerOutcome.REJECTED);

        assertThat(accounts.findById(user.value()).orElseThrow().availableMinor()).isEqualTo(400);
        assertThatThrownBy(() -> jdbc.update("update account set available_minor = -1 where user_id = ?",
                user.value())).hasMessageContaining("available_minor");
    }

    @Test
    void journalRowsAreNeverUpdatedOrDeleted() {
        UserId user = aUserWith(500);

        assertThatThrownBy(() -> jdbc.update("update journal_entry set amount_minor = 1 where user_id = ?",
                user.value())).hasMessageContaining("never updated or deleted");
        assertThatThrownBy(() -> jdbc.update("delete from journal_entry where user_id = ?", user.value()))
                .hasMessageContaining("never updated or deleted");
        assertThatThrownBy(() -> jdbc.update("delete from ledger_transaction where user_id = ?", user.value()))
                .hasMessageContaining("never updated or deleted");
        assertThatThrownBy(() -> jdbc.execute("truncate journal_entry")).hasMessageContaining("TRUNCATE");
        assertThatThrownBy(() -> jdbc.execute("truncate ledger_transaction cascade"))
                .hasMessageContaining("TRUNCATE");
        assertThat(count("select count(*) from journal_entry where user_id = ?", user.value())).isPositive();
    }

    @Test
    void everyLedgerTransactionBalances() {
        UUID txId = UUID.randomUUID();
        assertThatThrownBy(() -> tx.executeWithoutResult(s -> {
            jdbc.update("insert into ledger_transaction (id, kind, reference, user_id, created_at) "
                    + "values (?, 'DEPOSIT', ?, 1, now())", txId, "unbalanced-" + txId);
            jdbc.update("insert into journal_entry (transaction_id, account, user_id, amount_minor, currency, "
                    + "created_at) values (?, 'user:1:available', 1, 100, 'RUB', now())", txId);
        })).rootCause().hasMessageContaining("does not balance");
        assertThat(count("select count(*) from ledger_transaction where id = ?", txId)).isZero();
    }

    @Test
    void aRedeliveredCommandChangesNothing() {
        UserId user = aUserWith(1_000);
        JobId job = aJob();
        Envelope place = envelope(new PlaceHold(Ids.holdIdForJob(job), job, user, 100, "RUB"));

        assertThat(ledger.handle(place)).isEqualTo(LedgerOutcome.APPLIED);
        assertThat(ledger.handle(place)).isEqualTo(LedgerOutcome.DUPLICATE_MESSAGE);

        assertThat(accounts.findById(user.value()).orElseThrow().heldMinor()).isEqualTo(100);
    }

    @Test
    void aRepeatedCommandAnswersWithTheOutcomeItHad() {
        UserId user = aUserWith(1_000);
        JobId job = aJob();
        HoldId hold = Ids.holdIdForJob(job);
        apply(new PlaceHold(hold, job, user, 100, "RUB"));

        assertThat(apply(new PlaceHold(hold, job, user, 100, "RUB"))).isEqualTo(LedgerOutcome.ALREADY_APPLIED);
        assertThat(apply(new PlaceHold(hold, job, user, 999, "RUB")))
                .isEqualTo(LedgerOutcome.EXISTS_WITH_DIFFERENT_AMOUNT);
        assertThat(count("select count(*) from outbox_message where correlation_id = ? "
                + "and event_type = 'ledger.hold-placed.v1'", job.toString())).isEqualTo(2);
        assertThat(accounts.findById(user.value()).orElseThrow().heldMinor()).isEqualTo(100);
    }

    @Test
    void aTopUpReferenceIsAppliedOnce() {
        UserId user = new UserId(USERS.incrementAndGet());
        String ref = "ref-" + user;

        assertThat(apply(new DepositRequested(Ids.depositIdForReference(ref), user, 500, "RUB", ref)))
                .isEqualTo(LedgerOutcome.APPLIED);
        assertThat(apply(new DepositRequested(Ids.depositIdForReference(ref), user, 500, "RUB", ref)))
                .isEqualTo(LedgerOutcome.ALREADY_APPLIED);
        assertThat(apply(new DepositRequested(Ids.depositIdForReference(ref), user, 900, "RUB", ref)))
                .isEqualTo(LedgerOutcome.EXISTS_WITH_DIFFERENT_AMOUNT);

        assertThat(accounts.findById(user.value()).orElseThrow().availableMinor()).isEqualTo(500);
    }

    @Test
    void aHoldForAnUnknownUserIsRefusedNotOverdrawn() {
        UserId user = new UserId(USERS.incrementAndGet());
        JobId job = aJob();

        assertThat(apply(new PlaceHold(Ids.holdIdForJob(job), job, user, 1, "RUB")))
                .isEqualTo(LedgerOutcome.REJECTED);
        assertThat(apply(new CaptureHold(Ids.holdIdForJob(job), job, user)))
                .isEqualTo(LedgerOutcome.HOLD_WAS_REJECTED);
        assertThat(accounts.findById(user.value()).orElseThrow().capturedMinor()).isZero();
    }

    @Test
    void aPolledBatchMovesBalancesAsItsCommandsWouldOneByOneInOneTransaction() {
        UserId user = aUserWith(1_000);
        JobId first = aJob();
        JobId second = aJob();
        JobId third = aJob();

        listener.on(List.of(record(new PlaceHold(Ids.holdIdForJob(first), first, user, 300, "RUB")),
                record(new PlaceHold(Ids.holdIdForJob(second), second, user, 800, "RUB")),
                record(new CaptureHold(Ids.holdIdForJob(first), first, user)),
                record(new PlaceHold(Ids.holdIdForJob(third), third, user, 500, "RUB"))));

        Account a = accounts.findById(user.value()).orElseThrow();
        assertThat(a.availableMinor()).isEqualTo(200);
        assertThat(a.heldMinor()).isEqualTo(500);
        assertThat(a.capturedMinor()).isEqualTo(300);
        assertThat(count("select count(*) from outbox_message where correlation_id = ? "
                + "and event_type = 'ledger.hold-rejected.v1'", second.toString())).as("over the balance").isEqualTo(1);
        assertThat(count("select count(distinct xmin::text) from ledger_transaction where user_id = ? "
                + "and kind <> 'DEPOSIT'", user.value())).as("transactions that wrote the batch").isEqualTo(1);
    }

    @Test
    void aTopUpTheDatabaseRefusesInABatchIsRefusedAndTheBatchsOtherCommandsApply() {
        UserId user = aUserWith(1_000);
        UserId other = new UserId(USERS.incrementAndGet());
        JobId first = aJob();
        JobId second = aJob();
        String refused = "ref-with-a-nul-\u0000-" + other;

        listener.on(List.of(record(new PlaceHold(Ids.holdIdForJob(first), first, user, 100, "RUB")),
                record(new DepositRequested(Ids.depositIdForReference(refused), other, 500, "RUB", refused)),
                record(new PlaceHold(Ids.holdIdForJob(second), second, user, 200, "RUB"))));

        assertThat(accounts.findById(user.value()).orElseThrow().heldMinor()).isEqualTo(300);
        assertThat(accounts.findById(other.value()).map(Account::availableMinor).orElse(0L)).isZero();
        assertThat(count("select count(*) from outbox_message where event_type = 'ledger.deposit-refused.v1' "
                + "and message_key = ?", Long.toString(other.value()))).isEqualTo(1);
    }

    private static org.apache.kafka.clients.consumer.ConsumerRecord<String, String> record(
            io.kiepipeline.schemas.LedgerCommand command) {
        var produced = io.kiepipeline.platform.messaging.Envelopes.record(command, null);
        var record = new org.apache.kafka.clients.consumer.ConsumerRecord<>(produced.topic(), 0, 0, produced.key(),
                produced.value());
        produced.headers().forEach(h -> record.headers().add(h));
        return record;
    }

    private LedgerOutcome apply(io.kiepipeline.schemas.LedgerCommand command) {
        return ledger.handle(envelope(command));
    }

    private UserId aUserWith(long amountMinor) {
        UserId user = new UserId(USERS.incrementAndGet());
        String ref = "seed-" + user;
        assertThat(apply(new DepositRequested(Ids.depositIdForReference(ref), user, amountMinor, "RUB", ref)))
                .isEqualTo(LedgerOutcome.APPLIED);
        return user;
    }

    private static JobId aJob() {
        return new JobId(UUID.randomUUID());
    }

    private long count(String sql, Object... args) {
        Long n = jdbc.queryForObject(sql, Long.class, args);
        return n == null ? 0 : n;
    }
}
