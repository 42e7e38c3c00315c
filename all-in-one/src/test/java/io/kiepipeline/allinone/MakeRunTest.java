package io.kiepipeline.allinone;

import static org.assertj.core.api.Assertions.assertThat;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What `make run` starts and prints: a durable database, and no secret the operator gave. */
class MakeRunTest {
    @Test
    void runsPostgresDurablyUnlessTheSuiteAsksForSpeed() throws Exception {
        Path dir = Files.createTempDirectory("durable-pg");
        try (EmbeddedPostgres postgres = EmbeddedPipeline.postgres(dir, 0, true).start();
             Connection c = postgres.getPostgresDatabase().getConnection();
             Statement s = c.createStatement()) {
            for (String setting : List.of("fsync", "synchronous_commit", "full_page_writes")) {
                try (ResultSet rs = s.executeQuery("show " + setting)) {
                    rs.next();
                    assertThat(rs.getString(1)).as(setting).isEqualTo("on");
                }
            }
        }
        assertThat(EmbeddedPipeline.postgresSettings(false)).containsEntry("fsync", "off")
                .containsEntry("synchronous_commit", "off");
    }

    @Test
    void printsOnlyTheSecretsItGenerated() {
        EmbeddedPipeline pipeline = TestPipeline.get();
        Map<String, String> env = new HashMap<>();
        env.put("GATEWAY_PORT", "8080");
        // the test pipeline's tokens stand for the operator's own: given through the environment
        String welcome = Main.welcome(pipeline, env, Set.of(), false, false, 1.0);

        assertThat(welcome).doesNotContain(TestPipeline.API_TOKEN, TestPipeline.ADMIN_TOKEN,
                TestPipeline.CALLBACK_SECRET);
        assertThat(welcome).contains("API_TOKEN=(yours, from the environment: not shown)");
        assertThat(welcome).contains("export API=\"$API_TOKEN\"");
        // where operators look: the operator page and every service's metrics
        assertThat(welcome).contains("http://localhost:8080/admin");
        for (EmbeddedPipeline.Service s : EmbeddedPipeline.Service.values()) {
            if (s != EmbeddedPipeline.Service.GATEWAY) {
                assertThat(welcome).contains("http://localhost:" + pipeline.port(s) + "/actuator/health  metrics:"
                        + " /actuator/prometheus");
            }
        }

        String generated = Main.welcome(pipeline, env, Set.of("API_TOKEN"), false, false, 1.0);
        assertThat(generated).contains("API_TOKEN=" + TestPipeline.API_TOKEN)
                .doesNotContain(TestPipeline.ADMIN_TOKEN, TestPipeline.CALLBACK_SECRET);
    }
}
