package io.kiepipeline.kieworker.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import liquibase.Liquibase;
import liquibase.database.DatabaseFactory;
import liquibase.database.jvm.JdbcConnection;
import liquibase.resource.ClassLoaderResourceAccessor;

/** A real PostgreSQL with the kie-worker's schema, for its tests without Spring. */
public final class KieWorkerDatabase {
    private KieWorkerDatabase() {
    }

    public static EmbeddedPostgres start() throws Exception {
        EmbeddedPostgres postgres = EmbeddedPostgres.builder().start();
        try (Connection c = postgres.getPostgresDatabase().getConnection()) {
            new Liquibase("db/changelog/kie-worker.yaml", new ClassLoaderResourceAccessor(),
                    DatabaseFactory.getInstance().findCorrectDatabaseImplementation(new JdbcConnection(c)))
                    .update("");
        }
        return postgres;
    }
}
