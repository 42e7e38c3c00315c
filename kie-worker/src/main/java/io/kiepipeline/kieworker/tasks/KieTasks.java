package io.kiepipeline.kieworker.tasks;

import io.kiepipeline.schemas.KieApiFamily;
import io.kiepipeline.schemas.Limits;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/**
 * The {@code kie_task} table: one row per job, the job's submission from intent to outcome. Every method runs in the
 * caller's transaction; none of them is ever called while KIE is being called.
 *
 * <pre>
 * PENDING ──claim──▶ IN_FLIGHT ──task id──────────────▶ ACCEPTED
 *    ▲                  │ ──refused / out of attempts──▶ REJECTED   (also: the job's deadline passed, 408)
 *    └──not created─────┤ ──answer lost / lease ran out─▶ UNCERTAIN ──a late task id──▶ ACCEPTED
 * </pre>
 */
@Repository
class KieTasks {
    /** A row as the scheduler and the command handler need it. */
    record Row(UUID jobId, String state, String taskId, String model, long userId, String input, Instant deadlineAt,
               int attempts, boolean callbackExpected, int rejectCode, String rejectMessage, Instant createdAt,
               String causationId, KieApiFamily family, String kieModel, String keyId) {
        /**
         * What createTask is called with: KIE's own model id; rows from before families: ours (the jobs API); null for
         * the families without a model field.
         */
        String kieModelOrModel() {
            return kieModel != null || family != KieApiFamily.MARKET ? kieModel : model;
        }
    }

    private static final String COLUMNS = "job_id, state, task_id, model, user_id, input, deadline_at, attempts, "
            + "callback_expected, reject_code, reject_message, created_at, causation_id, family, kie_model, key_id";

    private final JdbcTemplate jdbc;

    KieTasks(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    Optional<Row> find(UUID jobId) {
        return jdbc.query("select " + COLUMNS + " from kie_task where job_id = ?", KieTasks::row, jobId).stream()
                .findFirst();
    }

    /** Records the intent to submit, due now. False when the job already has a row. */
    boolean insertPending(UUID jobId, String model, KieApiFamily family, String kieModel, long userId, String input,
                          Instant deadlineAt, boolean callbackExpected, String causationId, Instant now) {
        return jdbc.update("""
                insert into kie_task (job_id, state, model, family, kie_model, user_id, input, deadline_at, attempts,
                                      callback_expected, created_at, updated_at, due_at, causation_id)
                values (?, 'PENDING', ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?) on conflict (job_id) do nothing""",
                jobId, model, family.name(), kieModel, userId, input, ts(deadlineAt), callbackExpected, ts(now),
                ts(now), ts(now), causationId) == 1;
    }

    /** Records a refusal made without calling KIE. False when the job already has a row. */
    boolean insertRejected(UUID jobId, String model, long userId, Instant deadlineAt, int code, String message,
                           String causationId, Instant now) {
        return jdbc.update("""
                insert into kie_task (job_id, state, model, user_id, deadline_at, attempts, callback_expected,
                                      reject_code, reject_message, created_at, updated_at, causation_id)
                values (?, 'REJECTED', ?, ?, ?, 0, false, ?, ?, ?, ?, ?) on conflict (job_id) do nothing""",
                jobId, model, userId, ts(deadlineAt), code, Limits.cut(message, Limits.DETAIL), ts(now), ts(now), causationId) == 1;
    }

    /** Locks PENDING rows that are due, oldest first, skipping rows another instance holds. */
    List<Row> lockDuePending(Instant now, int limit) {
        return jdbc.query("select " + COLUMNS + " from kie_task where state = 'PENDING' and due_at <= ? "
                + "order by due_at limit ? for update skip locked", KieTasks::row, ts(now), limit);
    }

    /** Locks IN_FLIGHT rows whose lease ran out: their caller crashed (or hung) after it may have sent the request. */
    List<Row> lockExpiredLeases(Instant now, int limit) {
        return jdbc.query("select " + COLUMNS + " from kie_task where state = 'IN_FLIGHT' and due_at <= ? "
                + "order by due_at limit ? for update skip locked", KieTasks::row, ts(now), limit);
    }

    /** The row's call goes out now with this key; a task it makes stays with the key (for polling). */
    void claim(UUID jobId, int attempt, Instant leaseUntil, String keyId, Instant now) {
        jdbc.update("update kie_task set state = 'IN_FLIGHT', attempts = ?, due_at = ?, key_id = ?, updated_at = ? "
                + "where job_id = ? and state = 'PENDING'", attempt, ts(leaseUntil), keyId, ts(now), jobId);
    }

    /** Leaves a PENDING row due later (the throttle has no room now). */
    void postpone(UUID jobId, Instant dueAt, Instant now) {
        jdbc.update("update kie_task set due_at = ?, updated_at = ? where job_id = ? and state = 'PENDING'",
                ts(dueAt), ts(now), jobId);
    }

    /**
     * The call of this attempt made the task. Also from UNCERTAIN: an answer that came after the lease ran out still
     * names the task. False when the row moved on (another outcome was recorded for this attempt).
     */
    boolean accept(UUID jobId, int attempt, String taskId, boolean callbackExpected, Instant now) {
        return jdbc.update("update kie_task set state = 'ACCEPTED', task_id = ?, callback_expected = ?, due_at = null, "
                + "updated_at = ? where job_id = ? and attempts = ? and state in ('IN_FLIGHT', 'UNCERTAIN')",
                taskId, callbackExpected, ts(now), jobId, attempt) == 1;
    }

    /**
     * No task was made and none will be: from IN_FLIGHT (this attempt), PENDING (not yet claimed), or UNCERTAIN when
     * this attempt's lease ran out before KIE's refusal was recorded (the refusal proves there is no task).
     */
    boolean reject(UUID jobId, int attempt, int code, String message, Instant now) {
        return jdbc.update("update kie_task set state = 'REJECTED', reject_code = ?, reject_message = ?, "
                + "due_at = null, updated_at = ? where job_id = ? and attempts = ? "
                + "and state in ('IN_FLIGHT', 'PENDING', 'UNCERTAIN')",
                code, Limits.cut(message, Limits.DETAIL), ts(now), jobId, attempt) == 1;
    }

    /**
     * Certainly no task yet: back to PENDING, due after the back-off; also from UNCERTAIN when this attempt's lease
     * ran out before the answer (which proves nothing was made) was recorded.
     */
    boolean retryLater(UUID jobId, int attempt, Instant dueAt, String lastError, Instant now) {
        return jdbc.update("update kie_task set state = 'PENDING', due_at = ?, last_error = ?, updated_at = ? "
                + "where job_id = ? and attempts = ? and state in ('IN_FLIGHT', 'UNCERTAIN')",
                ts(dueAt), Limits.cut(lastError, Limits.DETAIL), ts(now), jobId, attempt) == 1;
    }

    /** The task may exist: never sent again. */
    boolean markUncertain(UUID jobId, int attempt, String detail, Instant now) {
        return jdbc.update("update kie_task set state = 'UNCERTAIN', due_at = null, last_error = ?, updated_at = ? "
                + "where job_id = ? and attempts = ? and state = 'IN_FLIGHT'",
                Limits.cut(detail, Limits.DETAIL), ts(now), jobId, attempt) == 1;
    }

    void polled(UUID jobId, String state, Instant now) {
        jdbc.update("update kie_task set last_state = ?, last_polled_at = ? where job_id = ?", state, ts(now), jobId);
    }

    private static Row row(ResultSet rs, int n) throws SQLException {
        return new Row(rs.getObject("job_id", UUID.class), rs.getString("state"), rs.getString("task_id"),
                rs.getString("model"), rs.getLong("user_id"), rs.getString("input"), instant(rs, "deadline_at"),
                rs.getInt("attempts"), rs.getBoolean("callback_expected"), rs.getInt("reject_code"),
                rs.getString("reject_message"), instant(rs, "created_at"), rs.getString("causation_id"),
                rs.getString("family") == null ? KieApiFamily.MARKET : KieApiFamily.valueOf(rs.getString("family")),
                rs.getString("kie_model"), rs.getString("key_id"));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }

    private static Timestamp ts(Instant i) {
        return i == null ? null : Timestamp.from(i);
    }
}
