package io.kiepipeline.orchestrator.jobs;

import io.kiepipeline.orchestrator.jobs.core.JobIntake;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.ResultSetExtractor;
import org.springframework.stereotype.Component;

/**
 * Counts what a user (and, for a free model, everyone) has used, for the intake's limits. It takes a transaction
 * lock first, the user's (and the free tier's for a free model), so that requests at the same moment are counted one
 * after another and cannot all slip under a limit; the lock ends with the intake's transaction, after the new job is
 * stored. The counts read the job table: a job is the record of a request (the jobs this transaction made, a polled
 * batch's, are written already: {@link JobStore}).
 */
@Component
class UsageCounter {
    private static final String RUNNING = "('AWAITING_HOLD', 'SUBMITTING', 'RUNNING')";
    private static final ResultSetExtractor<Void> NOTHING = rs -> null;

    private final JdbcTemplate jdbc;
    private final JobIntake.UsageLimits limits;

    UsageCounter(JdbcTemplate jdbc, io.kiepipeline.orchestrator.OrchestratorSettings settings) {
        this.jdbc = jdbc;
        var l = settings.limits();
        this.limits = new JobIntake.UsageLimits(l.maxRunningPerUser(), l.requestsPerMinute(), l.freeDailyPerUser(),
                l.freeDailyBudget());
    }

    JobIntake.UsageLimits limits() {
        return limits;
    }

    /** Must run in the intake's transaction. */
    JobIntake.Usage count(long userId, boolean free, Instant now) {
        boolean perUser = limits.maxRunning() > 0 || limits.perMinute() > 0 || free && limits.freePerUserDaily() > 0;
        boolean everyone = free && limits.freeDailyBudget() > 0;
        if (!perUser && !everyone) {
            return JobIntake.Usage.NONE;
        }
        Timestamp dayStart = Timestamp.from(now.atOffset(ZoneOffset.UTC).truncatedTo(ChronoUnit.DAYS).toInstant());
        Timestamp minuteAgo = Timestamp.from(now.minus(Duration.ofMinutes(1)));
        int running = 0;
        int lastMinute = 0;
        int freeToday = 0;
        if (perUser) {
            jdbc.query("select pg_advisory_xact_lock(hashtext('orchestrator.user-usage'), ?)", NOTHING,
                    Long.hashCode(userId));
            int[] counts = jdbc.queryForObject("""
                            select count(*) filter (where status in %s),
                                   count(*) filter (where created_at > ?),
                                   count(*) filter (where price_minor = 0 and status <> 'REJECTED' and created_at >= ?)
                            from job
                            where user_id = ? and (status in %s
                                   or created_at >= least(?::timestamptz, ?::timestamptz))""".formatted(RUNNING,
                            RUNNING),
                    (rs, row) -> new int[] {rs.getInt(1), rs.getInt(2), rs.getInt(3)},
                    minuteAgo, dayStart, userId, minuteAgo, dayStart);
            running = counts[0];
            lastMinute = counts[1];
            freeToday = counts[2];
        }
        int freeEveryone = 0;
        if (everyone) {
            jdbc.query("select pg_advisory_xact_lock(hashtext('orchestrator.free-tier'))", NOTHING);
            Integer n = jdbc.queryForObject("""
                    select count(*) from job where price_minor = 0 and status <> 'REJECTED' and created_at >= ?""",
                    Integer.class, dayStart);
            freeEveryone = n == null ? 0 : n;
        }
        return new JobIntake.Usage(running, lastMinute, freeToday, freeEveryone);
    }
}
