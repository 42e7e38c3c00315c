package io.kiepipeline.allinone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kiepipeline.emulators.KieEmulator.Rule;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * The ledger's invariants over everything the end-to-end tests did (this class runs last, and runs a paid success
 * and a paid failure of its own so that it never checks an empty ledger).
 */
@Order(Integer.MAX_VALUE - 1)
class LedgerInvariantsPipelineTest extends PipelineTest {
    @Test
    void moneyAddsUpForEveryAccountOnceAllJobsHaveEnded() {
        long user = aUserWithBalance(5_000);
        String ok = aPrompt("an invariant fox");
        String bad = aPrompt("an invariant failure");
        kie.addRule(Rule.forPrompt(bad).failing("500", "boom"));
        awaitStatus(request(user, "nano-banana-pro", ok), "DELIVERED");
        awaitStatus(request(user, "nano-banana-pro", bad), "FAILED");

        await().atMost(PATIENCE).untilAsserted(() -> {
            assertThat(db.count("select count(*) from orchestrator.job where status in "
                    + "('AWAITING_HOLD', 'SUBMITTING', 'RUNNING')")).as("jobs still running").isZero();
            assertThat(db.count("select count(*) from ledger.hold h join orchestrator.job j on j.job_id = h.job_id "
                    + "where h.status = 'PLACED'")).as("holds left placed after their job ended").isZero();
        });

        List<Map<String, Object>> accounts = db.rows("select * from ledger.account");
        assertThat(accounts).isNotEmpty();
        for (Map<String, Object> a : accounts) {
            long userId = (Long) a.get("user_id");
            long available = (Long) a.get("available_minor");
            long held = (Long) a.get("held_minor");
            long captured = (Long) a.get("captured_minor");
            long deposited = (Long) a.get("deposited_minor");
            long debited = (Long) a.get("debited_minor");
            assertThat(deposited - debited).as("user %d: deposits - debits = available + held + captured", userId)
                    .isEqualTo(available + held + captured);
            assertThat(journal("user:" + userId + ":available")).as("user %d available", userId).isEqualTo(available);
            assertThat(journal("user:" + userId + ":held")).as("user %d held", userId).isEqualTo(held);
        }
        assertThat(db.count("select coalesce(sum(amount_minor), 0) from ledger.journal_entry"))
                .as("the journal sums to zero").isZero();
        assertThat(db.count("select count(*) from (select transaction_id from ledger.journal_entry "
                + "group by transaction_id having sum(amount_minor) <> 0) t")).as("unbalanced transactions").isZero();
        assertThat(journal("platform:revenue"))
                .isEqualTo(db.count("select coalesce(sum(captured_minor), 0) from ledger.account"));
        assertThat(-journal("platform:deposits"))
                .isEqualTo(db.count("select coalesce(sum(deposited_minor - debited_minor), 0) from ledger.account"));
        assertThat(db.count("select count(*) from ledger.hold h join orchestrator.job j on j.job_id = h.job_id "
                + "where h.status = 'CAPTURED' and j.status not in ('SUCCEEDED', 'DELIVERED')"))
                .as("captured holds of jobs without a result").isZero();
        assertThat(db.count("select count(*) from ledger.hold h join orchestrator.job j on j.job_id = h.job_id "
                + "where h.status = 'RELEASED' and j.status <> 'FAILED'")).as("released holds of good jobs").isZero();
        assertThat(db.count("select count(*) from (select job_id from ledger.hold group by job_id "
                + "having count(*) > 1) t")).as("jobs with two holds").isZero();
    }

    private long journal(String account) {
        return db.count("select coalesce(sum(amount_minor), 0) from ledger.journal_entry where account = ?", account);
    }
}
