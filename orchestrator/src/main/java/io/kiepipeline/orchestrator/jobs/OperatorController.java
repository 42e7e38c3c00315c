package io.kiepipeline.orchestrator.jobs;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * What the operator page asks the orchestrator (through the gateway): the jobs the timer is not moving on, and the
 * latest failures. Each is one indexed read of at most {@value #MAX} rows.
 */
@RestController
class OperatorController {
    static final int MAX = 100;
    /** A job past its deadline is the timer's within a tick or two; one past it by this long is stuck. */
    static final Duration STUCK_AFTER = Duration.ofMinutes(1);

    private final JdbcTemplate jdbc;
    private final Clock clock;

    OperatorController(JdbcTemplate jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /**
     * Jobs still open past their deadline (the timer should have ended them), and jobs whose next check is overdue
     * (a poll, a ledger command to send again): both mean the timer is not moving them on.
     */
    @GetMapping("/internal/operator/stuck-jobs")
    List<Map<String, Object>> stuckJobs(@RequestParam(defaultValue = "20") int limit) {
        Timestamp before = Timestamp.from(clock.instant().minus(STUCK_AFTER));
        int n = Math.max(1, Math.min(limit, MAX));
        return jdbc.query("""
                select * from (
                  (select job_id, user_id, model, status, hold_state, task_id, created_at, deadline_at, next_poll_at,
                          'past its deadline' as why, deadline_at as since
                     from job where status in ('AWAITING_HOLD', 'SUBMITTING', 'RUNNING') and deadline_at < ?
                     order by deadline_at limit ?)
                  union all
                  (select job_id, user_id, model, status, hold_state, task_id, created_at, deadline_at, next_poll_at,
                          'its next check is overdue' as why, next_poll_at as since
                     from job where next_poll_at < ?
                       and not (status in ('AWAITING_HOLD', 'SUBMITTING', 'RUNNING') and deadline_at < ?)
                     order by next_poll_at limit ?)
                ) stuck order by since limit ?""", (rs, i) -> {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("jobId", rs.getString("job_id"));
            row.put("userId", rs.getLong("user_id"));
            row.put("model", rs.getString("model"));
            row.put("status", rs.getString("status"));
            row.put("holdState", rs.getString("hold_state"));
            row.put("taskId", rs.getString("task_id"));
            row.put("createdAt", instant(rs, "created_at"));
            row.put("deadlineAt", instant(rs, "deadline_at"));
            row.put("nextCheckAt", instant(rs, "next_poll_at"));
            row.put("why", rs.getString("why"));
            return row;
        }, before, n, before, before, n, n);
    }

    /** The latest jobs that failed or were refused, newest first, with why. */
    @GetMapping("/internal/operator/recent-failures")
    List<Map<String, Object>> recentFailures(@RequestParam(defaultValue = "20") int limit) {
        int n = Math.max(1, Math.min(limit, MAX));
        return jdbc.query("""
                select job_id, user_id, model, status, reason, detail, finished_at from job
                 where status in ('FAILED', 'REJECTED') and finished_at is not null
                 order by finished_at desc limit ?""", (rs, i) -> {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("jobId", rs.getString("job_id"));
            row.put("userId", rs.getLong("user_id"));
            row.put("model", rs.getString("model"));
            row.put("status", rs.getString("status"));
            row.put("reason", rs.getString("reason"));
            row.put("detail", rs.getString("detail"));
            row.put("finishedAt", instant(rs, "finished_at"));
            return row;
        }, n);
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }
}
