package io.kiepipeline.bot.service;

import java.sql.Timestamp;
import java.time.Instant;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/** Who is banned ({@code bot.ban}): read before an update is handled, written by an admin's command. */
@Component
public class Bans {
    private final JdbcTemplate jdbc;

    Bans(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    public boolean isBanned(long userId) {
        return Boolean.TRUE.equals(jdbc.queryForObject("select exists (select 1 from ban where user_id = ?)",
                Boolean.class, userId));
    }

    /** In the caller's transaction. */
    void ban(long userId, String reason, long by, Instant now) {
        jdbc.update("""
                insert into ban (user_id, reason, banned_by, banned_at) values (?, ?, ?, ?)
                on conflict (user_id) do update set reason = excluded.reason, banned_by = excluded.banned_by,
                                                    banned_at = excluded.banned_at""",
                userId, reason, by, Timestamp.from(now));
    }

    /** In the caller's transaction. */
    void unban(long userId) {
        jdbc.update("delete from ban where user_id = ?", userId);
    }
}
