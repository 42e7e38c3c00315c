package io.kiepipeline.platform.config;

import java.sql.Connection;
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
            try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
                s.execute("create schema if not exists " + schema);
            } catch (SQLException e) {
                throw new CannotGetJdbcConnectionException("cannot create schema " + schema
                        + " (check DATABASE_URL, DATABASE_USER, DATABASE_PASSWORD)", e);
            }
        }
        return bean;
    }
}
