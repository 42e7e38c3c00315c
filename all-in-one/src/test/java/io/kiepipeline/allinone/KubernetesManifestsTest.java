package io.kiepipeline.allinone;

import static org.assertj.core.api.Assertions.assertThat;

import io.kiepipeline.allinone.EmbeddedPipeline.Service;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * deploy/k8s cannot be applied here (no cluster), so it is parsed: every service is a Deployment with its probes on
 * the management port, its configuration and secrets, a disruption budget and an autoscaler (KEDA on its consumer
 * group's lag for the workers); every variable a service requires is given; kustomize lists every file.
 */
class KubernetesManifestsTest {
    private static final Path DIR = Path.of("..", "deploy", "k8s");
    private static final Map<String, Service> SERVICES = Map.of("ledger", Service.LEDGER,
            "orchestrator", Service.ORCHESTRATOR, "kie-worker", Service.KIE_WORKER,
            "delivery-worker", Service.DELIVERY_WORKER, "bot", Service.BOT, "analytics", Service.ANALYTICS,
            "gateway", Service.GATEWAY);

    @Test
    @SuppressWarnings("unchecked")
    void everyServiceRunsWithItsProbesSettingsBudgetAndScaler() throws IOException {
        List<Map<String, Object>> docs = documents();
        for (var entry : SERVICES.entrySet()) {
            String name = entry.getKey();
            // analytics keeps its stores on a volume of its own per instance: a StatefulSet
            Map<String, Object> deployment = find(docs, entry.getValue() == Service.ANALYTICS ? "StatefulSet"
                    : "Deployment", name);
            Map<String, Object> pod = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>)
                    deployment.get("spec")).get("template")).get("spec");
            Map<String, Object> container = ((List<Map<String, Object>>) pod.get("containers")).getFirst();
            assertThat(container.get("image").toString()).as(name).startsWith("kie-pipeline/" + name + ":");
            assertThat(probe(container, "livenessProbe")).isEqualTo("/actuator/health/liveness@management");
            assertThat(probe(container, "readinessProbe")).isEqualTo("/actuator/health/readiness@management");
            assertThat(container.get("env").toString()).contains("name=MANAGEMENT_PORT, value=9090");
            assertThat(container.get("envFrom").toString()).contains("kie-pipeline-config")
                    .contains("kie-pipeline-secrets");
            assertThat(((Map<String, Object>) ((Map<String, Object>) container.get("resources")).get("limits"))
                    .get("memory")).as(name).isNotNull();
            assertThat(find(docs, "PodDisruptionBudget", name)).isNotNull();
            assertThat(find(docs, "Service", name)).isNotNull();
            if (entry.getValue() == Service.GATEWAY) {
                assertThat(find(docs, "HorizontalPodAutoscaler", name)).isNotNull();
            } else if (entry.getValue() == Service.ANALYTICS) {
                assertThat(container.get("env").toString()).contains("ANALYTICS_ADVERTISED_ADDRESS")
                        .contains("ANALYTICS_STATE_DIR");
                assertThat(((Map<String, Object>) deployment.get("spec")).get("volumeClaimTemplates")).isNotNull();
            } else {
                Map<String, Object> scaled = (Map<String, Object>) find(docs, "ScaledObject", name).get("spec");
                Map<String, Object> trigger = ((List<Map<String, Object>>) scaled.get("triggers")).getFirst();
                assertThat(trigger.get("type")).isEqualTo("kafka");
                assertThat(((Map<String, Object>) trigger.get("metadata")).get("consumerGroup"))
                        .as("%s scales on its own consumer group", name).isEqualTo(serviceName(entry.getValue()));
                assertThat((Integer) scaled.get("maxReplicaCount")).as("never more instances than partitions")
                        .isLessThanOrEqualTo(12);
            }
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyVariableAServiceRequiresIsGivenAndNoSecretIsWrittenDown() throws IOException {
        List<Map<String, Object>> docs = documents();
        Set<String> given = new HashSet<>(((Map<String, Object>) find(docs, "ConfigMap", "kie-pipeline-config")
                .get("data")).keySet());
        Files.readAllLines(DIR.resolve("secrets.env.example")).stream().filter(l -> l.contains("=")
                && !l.startsWith("#")).forEach(l -> given.add(l.substring(0, l.indexOf('='))));
        for (var entry : SERVICES.entrySet()) {
            for (String variable : requiredVariables(entry.getValue())) {
                // "A|B": either will do
                assertThat(Arrays.stream(variable.split("\\|")).anyMatch(given::contains))
                        .as("%s needs %s", entry.getKey(), variable).isTrue();
            }
        }
        assertThat(docs).as("secrets come from secrets.env, never from a committed Secret")
                .noneMatch(d -> "Secret".equals(d.get("kind")));
        for (String line : Files.readAllLines(DIR.resolve("secrets.env.example"))) {
            assertThat(line).as("the example holds no value").matches("#.*|[A-Z_]+=|");
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void kustomizeAppliesEveryManifest() throws IOException {
        Map<String, Object> kustomization = new Yaml().load(Files.readString(DIR.resolve("kustomization.yaml")));
        List<String> resources = (List<String>) kustomization.get("resources");
        try (Stream<Path> files = Files.list(DIR)) {
            List<String> manifests = files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".yaml") && !n.equals("kustomization.yaml")).toList();
            assertThat(resources).containsExactlyInAnyOrderElementsOf(manifests);
        }
    }

    @SuppressWarnings("unchecked")
    private static String probe(Map<String, Object> container, String kind) {
        Map<String, Object> get = (Map<String, Object>) ((Map<String, Object>) container.get(kind)).get("httpGet");
        return get.get("path") + "@" + get.get("port");
    }

    private static Map<String, Object> find(List<Map<String, Object>> docs, String kind, String name) {
        return docs.stream().filter(d -> kind.equals(d.get("kind")))
                .filter(d -> name.equals(((Map<?, ?>) d.get("metadata")).get("name"))).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " " + name + " in deploy/k8s"));
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> documents() throws IOException {
        List<Map<String, Object>> docs = new ArrayList<>();
        try (Stream<Path> files = Files.list(DIR)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
                for (Object doc : new Yaml().loadAll(Files.readString(f))) {
                    if (doc != null) {
                        docs.add((Map<String, Object>) doc);
                    }
                }
            }
        }
        return docs;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> pipelineSettings(Service service) throws IOException {
        try (InputStream in = KubernetesManifestsTest.class.getResourceAsStream("/" + service.configName + ".yml")) {
            return (Map<String, Object>) ((Map<String, Object>) new Yaml().load(in)).get("pipeline");
        }
    }

    private static String serviceName(Service service) throws IOException {
        return pipelineSettings(service).get("service-name").toString();
    }

    private static List<String> requiredVariables(Service service) throws IOException {
        return Arrays.stream(pipelineSettings(service).get("required-variables").toString().split("\\s*,\\s*"))
                .toList();
    }
}
