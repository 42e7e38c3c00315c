package io.kiepipeline.ledger.accounts;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The holds open longest, oldest first, for the operator page: a hold neither captured nor released long after its
 * job should have ended is money a user cannot spend. One indexed read of at most {@value #MAX} rows.
 */
@RestController
class OpenHoldsController {
    static final int MAX = 100;

    private final JdbcTemplate jdbc;

    OpenHoldsController(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @GetMapping("/internal/operator/open-holds")
    List<Map<String, Object>> openHolds(@RequestParam(defaultValue = "20") int limit) {
        return jdbc.query("""
                select hold_id, job_id, user_id, amount_minor, currency, placed_at from hold
                 where status = 'PLACED' order by placed_at limit ?""", (rs, i) -> {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("holdId", rs.getString("hold_id"));
            row.put("jobId", rs.getString("job_id"));
            row.put("userId", rs.getLong("user_id"));
            row.put("amountMinor", rs.getLong("amount_minor"));
            row.put("currency", rs.getString("currency"));
            row.put("placedAt", rs.getTimestamp("placed_at").toInstant());
            return row;
        }, Math.max(1, Math.min(limit, MAX)));
    }
}
