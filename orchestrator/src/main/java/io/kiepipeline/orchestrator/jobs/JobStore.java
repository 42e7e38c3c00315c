package io.kiepipeline.orchestrator.jobs;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.dao.OptimisticLockingFailureException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Repository;

/**
 * The job table over plain JDBC: a job is read, locked and written with one statement each, in the caller's
 * transaction. Each write goes to the database at once, so a later read in the same transaction (the next record of a
 * polled batch, the usage limits' counts) sees it. A write names the version it read and fails when the row changed
 * since (the callers lock the row first, so this is a guard, not the concurrency control).
 */
@Repository
class JobStore {
    private static final String COLUMNS = String.join(", ", JobRecord.COLUMNS);
    private static final String SELECT = "select " + COLUMNS + " from job ";
    private static final String INSERT = "insert into job (" + COLUMNS + ") values ("
            + String.join(", ", Collections.nCopies(JobRecord.COLUMNS.size(), "?")) + ")";
    /** Every column but the key and the version, then the key and the version read; the version goes up by one. */
    private static final String UPDATE = "update job set "
            + String.join(", ", JobRecord.COLUMNS.subList(1, JobRecord.COLUMNS.size() - 1).stream()
                    .map(c -> c + " = ?").toList())
            + ", version = version + 1 where job_id = ? and version = ?";
    private static final RowMapper<JobRecord> ROW = (rs, n) -> JobRecord.from(rs);

    private final JdbcTemplate jdbc;

    JobStore(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    Optional<JobRecord> find(UUID jobId) {
        return jdbc.query(SELECT + "where job_id = ?", ROW, jobId).stream().findFirst();
    }

    /** The job with its row locked until the transaction ends: the messages of one job are applied one at a time. */
    Optional<JobRecord> lock(UUID jobId) {
        return jdbc.query(SELECT + "where job_id = ? for update", ROW, jobId).stream().findFirst();
    }

    boolean exists(UUID jobId) {
        return !jdbc.queryForList("select 1 from job where job_id = ?", Integer.class, jobId).isEmpty();
    }

    /** A user's latest jobs, newest first (the index job_user serves it). */
    List<JobRecord> latestOf(long userId, int limit) {
        return jdbc.query(SELECT + "where user_id = ? order by created_at desc limit ?", ROW, userId, limit);
    }

    /**
     * Jobs with something due (a poll, a ledger command to send again, a deadline), locked; rows another instance
     * holds are skipped, so several instances share the work.
     */
    List<JobRecord> lockDue(Instant now, int limit) {
        Timestamp at = Timestamp.from(now);
        return jdbc.query(SELECT + """
                where next_poll_at <= ?
                   or (deadline_at <= ? and status in ('AWAITING_HOLD', 'SUBMITTING', 'RUNNING'))
                order by next_poll_at
                limit ?
                for update skip locked""", ROW, at, at, limit);
    }

    void insert(JobRecord job) {
        jdbc.update(INSERT, job.values());
        job.stored(job.version());
    }

    /** Writes the job if it changed since it was read. */
    void update(JobRecord job) {
        if (!job.changed()) {
            return;
        }
        Object[] values = job.values();
        Object[] args = new Object[values.length];
        System.arraycopy(values, 1, args, 0, values.length - 2); // every column but the key and the version
        args[values.length - 2] = values[0];
        args[values.length - 1] = job.version();
        if (jdbc.update(UPDATE, args) != 1) {
            throw new OptimisticLockingFailureException("job " + job.jobId() + " changed since version "
                    + job.version() + " was read");
        }
        job.stored(job.version() + 1);
    }
}
