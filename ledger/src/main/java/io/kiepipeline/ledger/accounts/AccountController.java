package io.kiepipeline.ledger.accounts;

import java.util.Map;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Read side for the gateway: a user's balances. Writes only ever arrive through Kafka. */
@RestController
class AccountController {
    private final AccountRepository accounts;
    private final String currency;

    private final DepositRepository deposits;
    private final org.springframework.jdbc.core.JdbcTemplate jdbc;

    AccountController(AccountRepository accounts, DepositRepository deposits,
                      io.kiepipeline.platform.config.PlatformProperties platform,
                      org.springframework.jdbc.core.JdbcTemplate jdbc) {
        String currency = platform.currency();
        this.accounts = accounts;
        this.deposits = deposits;
        this.currency = currency;
        this.jdbc = jdbc;
    }

    static final int MAX_MOVEMENTS = 20;

    /**
     * A user's latest movements, newest first, from the journal: each transfer that touched their available or held
     * balance, with its kind (DEPOSIT, HOLD, RELEASE, CAPTURE, DEBIT), what it did to the available balance, and its
     * reference (the job's hold, the top-up's reference).
     */
    @GetMapping("/internal/accounts/{userId}/movements")
    @Transactional(readOnly = true)
    java.util.List<Map<String, Object>> movements(@PathVariable long userId,
                                                 @RequestParam(defaultValue = "5") int limit) {
        int bounded = Math.max(1, Math.min(limit, MAX_MOVEMENTS));
        return jdbc.query("""
                select t.kind, t.reference, t.created_at,
                       coalesce(sum(e.amount_minor) filter (where e.account = ?), 0) as available_change,
                       max(abs(e.amount_minor)) as amount, max(e.currency) as currency
                from ledger_transaction t join journal_entry e on e.transaction_id = t.id
                where t.user_id = ?
                group by t.id, t.kind, t.reference, t.created_at
                order by t.created_at desc, t.id limit ?""", (rs, i) -> {
            Map<String, Object> m = new java.util.LinkedHashMap<>();
            m.put("kind", rs.getString("kind"));
            m.put("amountMinor", rs.getLong("amount"));
            m.put("availableChangeMinor", rs.getLong("available_change"));
            m.put("currency", rs.getString("currency"));
            m.put("reference", rs.getString("reference"));
            m.put("at", rs.getTimestamp("created_at").toInstant().toString());
            return m;
        }, "user:" + userId + ":available", userId, bounded);
    }

    /** A top-up applied under this reference, so the gateway can refuse a reference reused for another top-up. */
    record DepositView(String reference, long userId, long amountMinor, String currency) {
    }

    @GetMapping("/internal/deposits")
    @Transactional(readOnly = true)
    ResponseEntity<DepositView> deposit(@RequestParam String reference) {
        return deposits.findByReference(reference)
                .map(d -> ResponseEntity.ok(new DepositView(reference, d.userId(), d.amountMinor(), d.currency())))
                .orElseGet(() -> ResponseEntity.notFound().build());
    }

    @GetMapping("/internal/accounts/{userId}")
    @Transactional(readOnly = true)
    ResponseEntity<Map<String, Object>> account(@PathVariable long userId) {
        return ResponseEntity.ok(accounts.findById(userId)
                .map(a -> Map.<String, Object>of("userId", userId, "availableMinor", a.availableMinor(),
                        "heldMinor", a.heldMinor(), "capturedMinor", a.capturedMinor(),
                        "depositedMinor", a.depositedMinor(), "debitedMinor", a.debitedMinor(),
                        "currency", a.currency()))
                .orElseGet(() -> Map.of("userId", userId, "availableMinor", 0L, "heldMinor", 0L,
                        "capturedMinor", 0L, "depositedMinor", 0L, "debitedMinor", 0L, "currency", currency)));
    }
}
