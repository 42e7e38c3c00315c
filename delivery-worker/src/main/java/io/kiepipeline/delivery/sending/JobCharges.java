package io.kiepipeline.delivery.sending;

import io.kiepipeline.schemas.JobId;
import io.kiepipeline.schemas.LedgerEvent.HoldCaptured;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * What the ledger charged for each paid job and the balance after (its {@code HoldCaptured}), for the result's
 * caption. The result ({@code orchestrator.events}) and the capture ({@code ledger.events}) come on different topics
 * in either order, handled by different consumers: both take the job's lock first, so that whichever commits second
 * sees the other (the result then has the balance in its caption, or is updated by the capture before it is sent).
 */
@Component
class JobCharges {
    /** What was charged and what was left after it. */
    record Charge(long chargedMinor, long availableMinor, String currency) {
    }

    private final JdbcTemplate jdbc;

    JobCharges(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** In the consumer's transaction, before reading or writing anything about the job's charge. */
    void lock(JobId jobId) {
        java.util.UUID id = jobId.value();
        jdbc.query("select pg_advisory_xact_lock(?)", rs -> null,
                id.getMostSignificantBits() ^ id.getLeastSignificantBits());
    }

    /**
     * Records the charge; false when one was recorded already (the ledger announces a capture again, with a new
     * event id and the balance of that later moment, when a CaptureHold is sent again): the first one stands.
     */
    boolean remember(HoldCaptured c, Instant now) {
        return 1 == jdbc.update("""
                insert into job_charge (job_id, charged_minor, available_minor, currency, created_at)
                values (?, ?, ?, ?, ?) on conflict (job_id) do nothing""", c.jobId().value(), c.amountMinor(),
                c.availableMinor(), c.currency(), Timestamp.from(now));
    }

    Optional<Charge> of(JobId jobId) {
        return jdbc.query("select charged_minor, available_minor, currency from job_charge where job_id = ?",
                (rs, i) -> new Charge(rs.getLong(1), rs.getLong(2), rs.getString(3)), jobId.value())
                .stream().findFirst();
    }
}
