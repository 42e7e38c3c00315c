package io.kiepipeline.platform.config;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.jdbc.CannotGetJdbcConnectionException;

/**
 * Each service owns one PostgreSQL schema named after it. This creates the schema as soon as the data source exists,
 * before Liquibase writes its own tables into it.
 */
class SchemaCreatingPostProcessor implements BeanPostProcessor {
    private final String schema;

    SchemaCreatingPostProcessor(String schema) {
        if (!schema.matches("[a-z][a-z0-9_]*")) {
            throw new IllegalArgumentException("not a schema name: " + schema);
        }
        this.schema = schema;
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
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
     * {@code create schema if not exists} is not safe when two instances of a service start at once: both see no
     * schema, and the second fails on the catalog's unique index. A transaction-scoped advisory lock makes them take
     * turns; the second then finds the schema.
     */
    static void createSchema(Connection c, String schema) throws SQLException {
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        try (PreparedStatement lock = c.prepareStatement("select pg_advisory_xact_lock(hashtext(?))");
             Statement s = c.createStatement()) {
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
