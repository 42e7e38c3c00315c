package io.kiepipeline.platform.config;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;

/**
 * Longer lock waits for the few statements at a service's start that wait for a twin starting at the same moment. Every
 * pooled connection runs with {@code lock_timeout = DATABASE_LOCK_TIMEOUT} (10 s), which PostgreSQL applies to
 * advisory locks too; on a loaded host a twin's migration or first transaction takes longer, and a start must not fail
 * for that. The wait is made at least as long as asked, never shorter than the connection's own (0, no limit, stays).
 */
public final class LockWaits {
    private static final String AT_LEAST = "select set_config('lock_timeout', case"
            + " when current_setting('lock_timeout')::interval = interval '0'"
            + " or current_setting('lock_timeout')::interval >= ?::interval then current_setting('lock_timeout')"
            + " else ? end, ?)";

    private LockWaits() {
    }

    /**
     * Makes this connection wait at least {@code wait} for a lock: for the current transaction only when
     * {@code transactionOnly}, else for the session (the caller then puts {@link #current} back).
     */
    public static void atLeast(Connection c, Duration wait, boolean transactionOnly) throws SQLException {
        try (PreparedStatement set = c.prepareStatement(AT_LEAST)) {
            String value = wait.toMillis() + "ms";
            set.setString(1, value);
            set.setString(2, value);
            set.setBoolean(3, transactionOnly);
            set.execute();
        }
    }

    /** The session's lock timeout now, as PostgreSQL shows it ("10s"). */
    public static String current(Connection c) throws SQLException {
        try (PreparedStatement q = c.prepareStatement("select current_setting('lock_timeout')");
             ResultSet r = q.executeQuery()) {
            r.next();
            return r.getString(1);
        }
    }

    /** Puts back a session lock timeout read by {@link #current}. */
    public static void restore(Connection c, String lockTimeout) throws SQLException {
        try (PreparedStatement set = c.prepareStatement("select set_config('lock_timeout', ?, false)")) {
            set.setString(1, lockTimeout);
            set.execute();
        }
    }
}
