package io.kiepipeline.ledger.journal;

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
    public enum Kind {
        DEPOSIT, HOLD, CAPTURE, RELEASE
    }

    public record Entry(String account, Long userId, long amountMinor) {
    }

    public static String available(long userId) {
        return "user:" + userId + ":available";
    }

    public static String held(long userId) {
        return "user:" + userId + ":held";
    }

    public static final String REVENUE = "platform:revenue";
    public static final String DEPOSITS = "platform:deposits";

    private final JdbcTemplate jdbc;

    public Journal(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** Moves {@code amountMinor} from one account to another as one balanced ledger transaction. */
    public void transfer(Kind kind, String reference, long userId, String currency, Instant at,
                         Entry from, Entry to) {
        if (from.amountMinor() + to.amountMinor() != 0) {
            throw new IllegalArgumentException("a transfer must balance");
        }
        UUID txId = UUID.nameUUIDFromBytes((kind + ":" + reference).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Timestamp ts = Timestamp.from(at);
        jdbc.update("insert into ledger_transaction (id, kind, reference, user_id, created_at) values (?, ?, ?, ?, ?)",
                txId, kind.name(), kind + ":" + reference, userId, ts);
        for (Entry e : List.of(from, to)) {
            jdbc.update("""
                    insert into journal_entry (transaction_id, account, user_id, amount_minor, currency, created_at)
                    values (?, ?, ?, ?, ?, ?)""", txId, e.account(), e.userId(), e.amountMinor(), currency, ts);
        }
    }

    /** An account's balance recomputed from the journal. */
    public long balanceOf(String account) {
        Long sum = jdbc.queryForObject("select coalesce(sum(amount_minor), 0) from journal_entry where account = ?",
                Long.class, account);
        return sum == null ? 0 : sum;
    }
}
