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
    @SuppressWarnings("unchecked")
    void runsEveryServiceFromTheImageMakeImagesBuildsWithItsActuatorOnTheManagementPort() throws IOException {
        Map<String, Map<String, Object>> services = services();
        String version = projectVersion();
        for (var entry : SERVICES.entrySet()) {
            String name = entry.getKey();
            Map<String, Object> service = services.get(name);
            assertThat(service.get("image")).as("%s's image", name).isEqualTo("kie-pipeline/" + name + ":" + version);
            // make images builds it: the module declares the image plugin and the class its image starts
            String pom = Files.readString(root().resolve(name).resolve("pom.xml"));
            assertThat(pom).as("%s builds an image", name).contains("<artifactId>jib-maven-plugin</artifactId>");
            java.util.regex.Matcher main = java.util.regex.Pattern.compile("<image.mainClass>([^<]+)<")
                    .matcher(pom);
            assertThat(main.find()).as("%s names its main class", name).isTrue();
            assertThat(main.group(1)).isEqualTo(entry.getValue().application.getName());
            assertThat(service).as("%s mounts no jar: everything is in the image", name)
                    .doesNotContainKey("command");
            Map<String, Object> environment = (Map<String, Object>) service.get("environment");
            assertThat(environment.get("MANAGEMENT_PORT")).as(name).isEqualTo(9090);
            Map<String, Object> health = (Map<String, Object>) service.get("healthcheck");
            assertThat(health.get("test").toString()).as("%s's health check", name)
                    .contains("/bin/busybox").contains("http://127.0.0.1:9090/actuator/health/readiness");
        }
        String root = Files.readString(root().resolve("pom.xml"));
        assertThat(root).contains("<to><image>kie-pipeline/${project.artifactId}:${project.version}</image></to>");
        assertThat(Files.readString(root().resolve("Makefile"))).contains("images: check-jdk")
                .contains("scripts/image-base.sh").contains("-Djib.skip=false package");
    }

    @Test
    @SuppressWarnings("unchecked")
    void keepsEveryServicesDataOnItsVolumeWhereTheImageWritesIt() throws IOException {
        Map<String, Map<String, Object>> services = services();
        Map<String, Object> kafka = services.get("kafka");
        String logDirs = ((Map<String, Object>) kafka.get("environment")).get("KAFKA_LOG_DIRS").toString();
        assertThat((List<String>) kafka.get("volumes")).as("Kafka's volume holds its log dirs")
                .contains("kafka-data:" + logDirs);
        Map<String, Object> analytics = services.get("analytics");
        String state = ((Map<String, Object>) analytics.get("environment")).get("ANALYTICS_STATE_DIR").toString();
        assertThat((List<String>) analytics.get("volumes")).contains("analytics-state:" + state);
        assertThat(Files.readString(root().resolve("scripts/image-base.sh"))).contains("$OUT" + state);
        assertThat((List<String>) services.get("postgres").get("volumes"))
                .contains("postgres-data:/var/lib/postgresql/data");
    }

    @Test
    @SuppressWarnings("unchecked")
    void prometheusScrapesEveryServiceWithTheAlertRulesAndGrafanaShowsTheDashboard() throws IOException {
        Map<String, Map<String, Object>> services = services();
        List<String> prometheusMounts = (List<String>) services.get("prometheus").get("volumes");
        assertThat(prometheusMounts).contains("./deploy/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro",
                "./deploy/prometheus/alerts.yml:/etc/prometheus/alerts.yml:ro");
        Map<String, Object> prometheus = new Yaml().load(Files.readString(root().resolve(
                "deploy/prometheus/prometheus.yml")));
        assertThat((List<String>) prometheus.get("rule_files")).containsExactly("/etc/prometheus/alerts.yml");
        Map<String, Object> job = ((List<Map<String, Object>>) prometheus.get("scrape_configs")).getFirst();
        assertThat(job.get("metrics_path")).isEqualTo("/actuator/prometheus");
        List<String> targets = (List<String>) ((List<Map<String, Object>>) job.get("static_configs")).getFirst()
                .get("targets");
        assertThat(targets).containsExactlyInAnyOrderElementsOf(SERVICES.keySet().stream().map(s -> s + ":9090")
                .toList());

        List<String> grafanaMounts = (List<String>) services.get("grafana").get("volumes");
        assertThat(grafanaMounts).contains("./deploy/grafana/provisioning:/etc/grafana/provisioning:ro",
                "./deploy/grafana/dashboards:/var/lib/grafana/dashboards:ro");
        Map<String, Object> datasources = new Yaml().load(Files.readString(root().resolve(
                "deploy/grafana/provisioning/datasources/prometheus.yml")));
        Map<String, Object> source = ((List<Map<String, Object>>) datasources.get("datasources")).getFirst();
        assertThat(source).containsEntry("uid", "prometheus").containsEntry("url", "http://prometheus:9090");
        // every pipeline metric a panel plots is one the services export (docs/operations.md lists exactly those)
        var dashboard = io.kiepipeline.schemas.MessageCodec.mapper().readTree(Files.readString(root().resolve(
                "deploy/grafana/dashboards/kie-pipeline.json")));
        String operations = Files.readString(root().resolve("docs/operations.md"));
        java.util.Set<String> plotted = new java.util.TreeSet<>();
        dashboard.path("panels").forEach(panel -> {
            assertThat(panel.path("datasource").path("uid").asString()).isEqualTo("prometheus");
            panel.path("targets").forEach(t -> {
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("pipeline_[a-z_]+")
                        .matcher(t.path("expr").asString());
                while (m.find()) {
                    plotted.add(m.group().replaceAll("_(bucket|count|sum)$", ""));
                }
            });
        });
        assertThat(plotted).hasSizeGreaterThan(10);
        for (String metric : plotted) {
            assertThat(operations).as("%s is documented (and so exported)", metric).contains("`" + metric);
        }
    }

    @Test
    void writesNoSecretIntoTheFile() throws IOException {
        String text = Files.readString(composeFile());
        for (String secret : List.of("API_TOKEN", "ADMIN_TOKEN", "CALLBACK_SECRET", "TELEGRAM_BOT_TOKEN",
                "KIE_API_KEY", "DATABASE_PASSWORD", "GRAFANA_ADMIN_PASSWORD")) {
            assertThat(text).as(secret).containsPattern(": \\$\\{" + secret + ":\\?")
                    .doesNotContainPattern(": \\$\\{" + secret + ":-");
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

    private static Path root() {
        return composeFile().getParent();
    }

    private static String projectVersion() throws IOException {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                "<artifactId>kie-pipeline</artifactId>\\s*<version>([^<]+)</version>")
                .matcher(Files.readString(root().resolve("pom.xml")));
        assertThat(m.find()).isTrue();
        return m.group(1);
    }

    private static Path composeFile() {
        Path p = Path.of("docker-compose.yml").toAbsolutePath();
        return Files.exists(p) ? p : Path.of("..", "docker-compose.yml").toAbsolutePath();
    }

}
