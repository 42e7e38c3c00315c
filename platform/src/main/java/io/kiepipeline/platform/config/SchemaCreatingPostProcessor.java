package io.kiepipeline.platform.config;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import liquibase.integration.spring.SpringLiquibase;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.jdbc.CannotGetJdbcConnectionException;

/**
 * Each service owns one PostgreSQL schema named after it. This creates the schema as soon as the data source exists,
 * before Liquibase writes its own tables into it; and it lets one instance of the service migrate at a time.
 *
 * <p>Several instances of a service may start at once (a deploy, {@code scripts/cluster up}). Neither
 * {@code create schema if not exists} nor Liquibase's first run (it creates its changelog table before it takes its
 * own lock) is safe against a twin doing the same at the same moment: the loser fails to start with "already
 * exists". A PostgreSQL advisory lock per schema makes them take turns; the second finds the work done.
 *
 * <p>The second waits for the first's whole migration, which on a loaded host takes longer than the connections' own
 * {@code lock_timeout} ({@code DATABASE_LOCK_TIMEOUT}, 10 s, which applies to advisory locks too). So the wait for this
 * lock gets at least {@link #MIGRATION_WAIT}, as Liquibase's own lock does, and the session's setting is put back after.
 */
class SchemaCreatingPostProcessor implements BeanPostProcessor {
    /** How long an instance waits for a twin's migration: Liquibase's own changelog lock waits as long. */
    static final Duration MIGRATION_WAIT = Duration.ofMinutes(5);
    /** PostgreSQL's SQLState for a lock not granted within {@code lock_timeout}. */
    private static final String LOCK_NOT_AVAILABLE = "55P03";

    private final String schema;

    SchemaCreatingPostProcessor(String schema) {
        if (!schema.matches("[a-z][a-z0-9_]*")) {
            throw new IllegalArgumentException("not a schema name: " + schema);
        }
        this.schema = schema;
    }

    /** Connections holding the migration lock while a Liquibase bean runs its changelog (in its initialization). */
    private final Map<String, Connection> migrating = new ConcurrentHashMap<>();

    @Override
    public Object postProcessBeforeInitialization(Object bean, String beanName) {
        if (bean instanceof SpringLiquibase liquibase && liquibase.getDataSource() != null) {
            Connection c;
            try {
                c = liquibase.getDataSource().getConnection();
            } catch (SQLException e) {
                throw new CannotGetJdbcConnectionException("cannot take the migration lock of " + schema, e);
            }
            try {
                lockForMigration(c);
                migrating.put(beanName, c);
            } catch (SQLException | RuntimeException e) {
                // evicted, not handed back: it may hold the lock (taken, then its lock timeout not put back)
                discard(c, liquibase.getDataSource());
                if (e instanceof SQLException sql && LOCK_NOT_AVAILABLE.equals(sql.getSQLState())) {
                    throw new IllegalStateException("another instance of this service has held the migration lock of "
                            + "schema " + schema + " for " + MIGRATION_WAIT.toMinutes() + " minutes or more; is its migration "
                            + "stuck? (see pg_locks, locktype 'advisory')", e);
                }
                throw e instanceof SQLException sql
                        ? new CannotGetJdbcConnectionException("cannot take the migration lock of " + schema, sql)
                        : (RuntimeException) e;
            }
        }
        return bean;
    }

    /** Waits at least {@link #MIGRATION_WAIT} for the lock, then gives the session its own lock timeout back. */
    private void lockForMigration(Connection c) throws SQLException {
        String lockTimeout = LockWaits.current(c);
        LockWaits.atLeast(c, MIGRATION_WAIT, false);
        try (PreparedStatement lock = c.prepareStatement("select pg_advisory_lock(hashtext(?))")) {
            lock.setString(1, migrationLock());
            lock.execute();
        } finally {
            LockWaits.restore(c, lockTimeout);
        }
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        Connection held = migrating.remove(beanName);
        if (held != null && bean instanceof SpringLiquibase liquibase) {
            release(held, liquibase.getDataSource());
        }
        if (bean instanceof DataSource dataSource) {
            try (Connection c = dataSource.getConnection()) {
                createSchema(c, schema);
            } catch (SQLException e) {
                throw new CannotGetJdbcConnectionException("cannot create schema " + schema
                        + " (check DATABASE_URL, DATABASE_USER, DATABASE_PASSWORD)", e);
            }
        }
        return bean;
    }

    /**
     * Unlocks and hands the connection back. The pool keeps the session open, so a connection whose unlock failed is
     * evicted (its session ends, and PostgreSQL drops its locks) rather than returned with the lock still held. If the
     * migration itself fails, the service does not start and its process exits, which ends the session too.
     */
    private void release(Connection held, DataSource dataSource) {
        try (PreparedStatement unlock = held.prepareStatement("select pg_advisory_unlock(hashtext(?))")) {
            unlock.setString(1, migrationLock());
            unlock.execute();
            held.close();
        } catch (SQLException e) {
            discard(held, dataSource);
            throw new CannotGetJdbcConnectionException("cannot release the migration lock of " + schema, e);
        }
    }

    /** Ends a connection's session (and so its locks) instead of handing it back to the pool. */
    private static void discard(Connection c, DataSource dataSource) {
        if (dataSource instanceof com.zaxxer.hikari.HikariDataSource hikari) {
            hikari.evictConnection(c);
            return;
        }
        try {
            c.close();
        } catch (SQLException ignored) {
            // the connection is gone either way
        }
    }

    private String migrationLock() {
        return "kie-pipeline:migration:" + schema;
    }

    /**
     * {@code create schema if not exists} is not safe when two instances of a service start at once: both see no
     * schema, and the second fails on the catalog's unique index. A transaction-scoped advisory lock makes them take
     * turns; the second then finds the schema.
     */
    static void createSchema(Connection c, String schema) throws SQLException {
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        try (PreparedStatement lock = c.prepareStatement("select pg_advisory_xact_lock(hashtext(?))");
             Statement s = c.createStatement()) {
            LockWaits.atLeast(c, MIGRATION_WAIT, true);
            lock.setString(1, "kie-pipeline:schema:" + schema);
            lock.execute();
            s.execute("create schema if not exists " + schema);
            c.commit();
        } catch (SQLException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(autoCommit);
        }
    }
}
