package io.kiepipeline.orchestrator.jobs;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The admin's figures of the last hours (the bot's {@code /admin}): jobs by status, the revenue captured, the models
 * asked for most. Read straight from the jobs table; the analytics service of issue 9 will give windowed views.
 */
@RestController
class StatsController {
    static final int MAX_HOURS = 24 * 31;

    private final JdbcTemplate jdbc;
    private final Clock clock;
    private final String currency;

    StatsController(JdbcTemplate jdbc, Clock clock, io.kiepipeline.platform.config.PlatformProperties platform) {
        String currency = platform.currency();
        this.jdbc = jdbc;
        this.clock = clock;
        this.currency = currency;
    }

    @GetMapping("/internal/stats")
    Map<String, Object> stats(@RequestParam(defaultValue = "24") int hours) {
        int bounded = Math.max(1, Math.min(hours, MAX_HOURS));
        Timestamp since = Timestamp.from(clock.instant().minus(Duration.ofHours(bounded)));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("hours", bounded);
        body.put("since", since.toInstant().toString());
        Map<String, Long> byStatus = new LinkedHashMap<>();
        jdbc.query("select status, count(*) from job where created_at >= ? group by status order by status",
                rs -> {
                    byStatus.put(rs.getString(1), rs.getLong(2));
                }, since);
        body.put("jobsByStatus", byStatus);
        body.put("revenueMinor", jdbc.queryForObject("select coalesce(sum(price_minor), 0) from job"
                + " where created_at >= ? and hold_state = 'CAPTURED'", Long.class, since));
        body.put("currency", currency);
        body.put("topModels", jdbc.queryForList("select model, count(*) as jobs from job where created_at >= ?"
                + " group by model order by jobs desc, model limit 5", since));
        body.put("asOf", Instant.now(clock).toString());
        return body;
    }
}
