package io.kiepipeline.allinone;

import static org.assertj.core.api.Assertions.assertThat;

import io.kiepipeline.allinone.EmbeddedPipeline.Service;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * docker-compose.yml cannot run here (no Docker engine), so it is parsed: every service gets every variable its own
 * configuration lists as required, and the stack has Kafka in KRaft mode, PostgreSQL and health checks.
 */
class DockerComposeTest {
    private static final Map<String, Service> SERVICES = Map.of("ledger", Service.LEDGER,
            "orchestrator", Service.ORCHESTRATOR, "kie-worker", Service.KIE_WORKER,
            "delivery-worker", Service.DELIVERY_WORKER, "bot", Service.BOT, "analytics", Service.ANALYTICS,
            "gateway", Service.GATEWAY);

    @Test
    void givesEveryServiceEveryVariableItRequires() throws IOException {
        Map<String, Map<String, Object>> services = services();
        for (var entry : SERVICES.entrySet()) {
            Map<String, Object> service = services.get(entry.getKey());
            assertThat(service).as("service %s in docker-compose.yml", entry.getKey()).isNotNull();
            @SuppressWarnings("unchecked")
            Map<String, Object> environment = (Map<String, Object>) service.get("environment");
            List<String> required = requiredVariables(entry.getValue().configName);
            assertThat(required).as("%s lists its required variables", entry.getKey()).isNotEmpty();
            assertThat(environment.keySet()).as("variables given to %s", entry.getKey())
                    .containsAll(required);
            if (required.contains("DATABASE_URL")) {
                assertThat(environment).containsKey("DATABASE_PASSWORD");
            }
            assertThat(service).as("%s has a health check", entry.getKey()).containsKey("healthcheck");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> kie = (Map<String, Object>) services.get("kie-worker").get("environment");
        assertThat(kie).containsKeys("PUBLIC_BASE_URL", "CALLBACK_SECRET", "KIE_API_BASE_URL");
        @SuppressWarnings("unchecked")
        Map<String, Object> gateway = (Map<String, Object>) services.get("gateway").get("environment");
        assertThat(gateway).containsKeys("TELEGRAM_BOT_TOKEN", "ORCHESTRATOR_URL", "LEDGER_URL");
    }

    @Test
    void runsKafkaInKraftModeAndPostgres() throws IOException {
        Map<String, Map<String, Object>> services = services();
        @SuppressWarnings("unchecked")
        Map<String, Object> kafka = (Map<String, Object>) services.get("kafka").get("environment");
        assertThat(kafka.get("KAFKA_PROCESS_ROLES")).isEqualTo("broker,controller");
        assertThat(kafka).doesNotContainKey("KAFKA_ZOOKEEPER_CONNECT");
        assertThat(services.get("postgres").get("image").toString()).startsWith("postgres:");
        assertThat(services.keySet()).containsAll(Set.of("kafka", "postgres", "ledger", "orchestrator",
                "kie-worker", "delivery-worker", "gateway"));
    }

    @Test
    void writesNoSecretIntoTheFile() throws IOException {
        String text = Files.readString(composeFile());
        for (String secret : List.of("API_TOKEN", "ADMIN_TOKEN", "CALLBACK_SECRET", "TELEGRAM_BOT_TOKEN",
                "KIE_API_KEY", "DATABASE_PASSWORD")) {
            assertThat(text).as(secret).containsPattern(secret + ": \\$\\{" + secret + ":\\?");
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> services() throws IOException {
        LoaderOptions options = new LoaderOptions();
        options.setMaxAliasesForCollections(100);
        Map<String, Object> compose = new Yaml(options).load(Files.readString(composeFile()));
        return (Map<String, Map<String, Object>>) compose.get("services");
    }

    @SuppressWarnings("unchecked")
    private static List<String> requiredVariables(String configName) throws IOException {
        try (InputStream in = DockerComposeTest.class.getResourceAsStream("/" + configName + ".yml")) {
            Map<String, Object> config = new Yaml().load(in);
            Map<String, Object> pipeline = (Map<String, Object>) config.get("pipeline");
            List<String> required = new java.util.ArrayList<>(
                    Arrays.stream(pipeline.get("required-variables").toString().split("\\s*,\\s*"))
                            // "A|B": either will do; the compose file gives the first
                            .map(v -> v.split("\\|")[0]).toList());
            Object conditional = pipeline.get("conditionally-required");
            if (conditional instanceof Map<?, ?> m) {
                m.keySet().forEach(k -> required.add(k.toString()));
            }
            return required;
        }
    }

    private static Path composeFile() {
        Path p = Path.of("docker-compose.yml").toAbsolutePath();
        return Files.exists(p) ? p : Path.of("..", "docker-compose.yml").toAbsolutePath();
    }

}
