package io.kiepipeline.orchestrator.jobs;

import io.kiepipeline.orchestrator.jobs.core.Quote;
import io.kiepipeline.schemas.MessageCodec;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;
import tools.jackson.core.type.TypeReference;

/** The stored quotes (table {@code quote}). */
@Repository
public class Quotes {
    private static final TypeReference<Map<String, Object>> INPUT = new TypeReference<>() {
    };
    private final JdbcTemplate jdbc;

    Quotes(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    public void insert(Quote q) {
        jdbc.update("""
                insert into quote (quote_id, user_id, model, input, price_minor, currency, catalog_version,
                                   created_at, expires_at)
                values (?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict (quote_id) do nothing""",
                q.quoteId(), q.userId(), q.model(), MessageCodec.mapper().writeValueAsString(q.input()),
                q.priceMinor(), q.currency(), q.catalogVersion(), Timestamp.from(q.createdAt()),
                Timestamp.from(q.expiresAt()));
    }

    /** The quote, locked for the job-making transaction: two jobs cannot both take it. */
    public Optional<Quote> lock(UUID quoteId) {
        return jdbc.query("select * from quote where quote_id = ? for update", Quotes::read, quoteId).stream()
                .findFirst();
    }

    public Optional<Quote> find(UUID quoteId) {
        return jdbc.query("select * from quote where quote_id = ?", Quotes::read, quoteId).stream().findFirst();
    }

    public void markUsed(UUID quoteId, UUID jobId) {
        jdbc.update("update quote set used_by_job = ? where quote_id = ? and used_by_job is null", jobId, quoteId);
    }

    /** Forgets quotes that expired before {@code before}; the jobs made from them keep their own price. */
    public int deleteExpired(Instant before, int max) {
        return jdbc.update("""
                delete from quote where quote_id in (
                  select quote_id from quote where expires_at < ? limit ? for update skip locked)""",
                Timestamp.from(before), max);
    }

    private static Quote read(ResultSet rs, int row) throws SQLException {
        return new Quote(rs.getObject("quote_id", UUID.class), rs.getLong("user_id"), rs.getString("model"),
                MessageCodec.mapper().readValue(rs.getString("input"), INPUT), rs.getLong("price_minor"),
                rs.getString("currency"), rs.getString("catalog_version"), rs.getTimestamp("created_at").toInstant(),
                rs.getTimestamp("expires_at").toInstant(), rs.getObject("used_by_job", UUID.class));
    }
}
