package io.kiepipeline.platform.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import liquibase.Liquibase;
import liquibase.database.DatabaseFactory;
import liquibase.database.jvm.JdbcConnection;
import liquibase.resource.ClassLoaderResourceAccessor;

/** A real PostgreSQL with the platform's outbox and inbox tables, for the platform's own tests. */
public final class OutboxDatabase {
    private OutboxDatabase() {
    }

    public static EmbeddedPostgres start() throws Exception {
        EmbeddedPostgres postgres = EmbeddedPostgres.builder().start();
        try (Connection c = postgres.getPostgresDatabase().getConnection()) {
            new Liquibase("db/platform/outbox-inbox.yaml", new ClassLoaderResourceAccessor(),
                    DatabaseFactory.getInstance().findCorrectDatabaseImplementation(new JdbcConnection(c)))
                    .update("");
        }
        return postgres;
    }
}
