package io.kiepipeline.ledger.journal;

import io.kiepipeline.ledger.decider.LedgerDecider;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The append-only double-entry journal. Every movement is one ledger transaction of entries that sum to zero (a
 * deferred database trigger refuses any other), between these accounts:
 * <ul>
 *   <li>{@code user:<id>:available} and {@code user:<id>:held}: what the user owns;</li>
 *   <li>{@code platform:revenue}: what was charged;</li>
 *   <li>{@code platform:deposits}: where top-ups come from (its balance is minus all deposits).</li>
 * </ul>
 */
@Component
public class Journal {
    // Account names and transfers are the decider's: io.kiepipeline.ledger.decider.LedgerDecider.

    private final JdbcTemplate jdbc;

    public Journal(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** Writes a balanced transfer as one ledger transaction of two entries. */
    public void transfer(LedgerDecider.Transfer t, Instant at) {
        String reference = t.kind() + ":" + t.reference();
        UUID txId = UUID.nameUUIDFromBytes(reference.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Timestamp ts = Timestamp.from(at);
        jdbc.update("insert into ledger_transaction (id, kind, reference, user_id, created_at) values (?, ?, ?, ?, ?)",
                txId, t.kind().name(), reference, t.userId(), ts);
        for (LedgerDecider.Posting e : List.of(t.from(), t.to())) {
            jdbc.update("""
                    insert into journal_entry (transaction_id, account, user_id, amount_minor, currency, created_at)
                    values (?, ?, ?, ?, ?, ?)""", txId, e.account(), e.userId(), e.amountMinor(), t.currency(), ts);
        }
    }

    /** An account's balance recomputed from the journal. */
    public long balanceOf(String account) {
        Long sum = jdbc.queryForObject("select coalesce(sum(amount_minor), 0) from journal_entry where account = ?",
                Long.class, account);
        return sum == null ? 0 : sum;
    }
}
