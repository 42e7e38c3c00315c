package io.kiepipeline.cluster;

import io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import io.zonky.test.db.postgres.embedded.PgBinaryResolver;
import java.io.File;
import java.lang.reflect.Method;

/**
 * Prints the folder of PostgreSQL's {@code bin/} (initdb, postgres), unpacked from the embedded binaries the project
 * already depends on: the cluster mode runs the real {@code postgres} server as its own process with them, so that
 * {@code scripts/cluster kill postgres} kills the database itself, not a JVM around it.
 */
public final class PostgresBinaries {
    private PostgresBinaries() {
    }

    public static void main(String[] args) throws Exception {
        // the library unpacks the binaries only on its way to starting a server; its unpacking step is not public
        Method prepare = EmbeddedPostgres.class.getDeclaredMethod("prepareBinaries", PgBinaryResolver.class,
                File.class);
        prepare.setAccessible(true);
        File dir = (File) prepare.invoke(null, DefaultPostgresBinaryResolver.INSTANCE, null);
        System.out.println(new File(dir, "bin").getAbsolutePath());
    }
}
