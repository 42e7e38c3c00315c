package io.kiepipeline.allinone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kiepipeline.allinone.EmbeddedPipeline.Service;
import io.kiepipeline.schemas.MessageCodec;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The images {@code make images} builds (and {@code make test} with it): each service's tarball as {@code docker load}
 * takes it, from scratch with the jlinked runtime, run as nobody, its ports exposed, named as docker-compose.yml and
 * deploy/k8s name it. No Docker engine here, so one image is run the way a container runtime would run it: its layers
 * unpacked into a root of their own, its entrypoint started in a chroot with new mount and process namespaces and
 * nothing of this machine's but /dev and the network, against the test pipeline's Kafka, until it is ready.
 */
class ContainerImagesTest {
    private static final Map<String, Service> SERVICES = Map.of("ledger", Service.LEDGER,
            "orchestrator", Service.ORCHESTRATOR, "kie-worker", Service.KIE_WORKER,
            "delivery-worker", Service.DELIVERY_WORKER, "bot", Service.BOT, "analytics", Service.ANALYTICS,
            "gateway", Service.GATEWAY);
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    void everyServiceHasAnImageFromScratchWithItsRuntimeRunAsNobody() throws Exception {
        for (var entry : SERVICES.entrySet()) {
            String name = entry.getKey();
            Image image = Image.read(tarball(name));
            assertThat(image.tags()).as(name).containsExactly("kie-pipeline/" + name + ":0.1.0-SNAPSHOT");
            JsonNode config = image.config().path("config");
            List<String> entrypoint = new ArrayList<>();
            config.path("Entrypoint").forEach(a -> entrypoint.add(a.asString()));
            assertThat(entrypoint).as(name).startsWith("/opt/java/bin/java")
                    .endsWith(entry.getValue().application.getName()).contains("@/app/jib-classpath-file");
            assertThat(config.path("User").asString()).as(name).isEqualTo("65534:65534");
            assertThat(config.path("ExposedPorts").has("9090/tcp")).as("%s exposes its management port", name)
                    .isTrue();
            assertThat(image.layers()).as(name).hasSizeGreaterThanOrEqualTo(3);
        }
    }

    @Test
    void theAnalyticsImageRunsAndBecomesReadyOnKafka() throws Exception {
        EmbeddedPipeline pipeline = TestPipeline.get();
        Path rootfs = Files.createTempDirectory("analytics-image-root");
        Image image = Image.read(tarball("analytics"));
        image.unpack(rootfs);
        assertThat(rootfs.resolve("opt/java/bin/java")).isExecutable();
        assertThat(rootfs.resolve("bin/busybox")).isExecutable();
        Files.createDirectories(rootfs.resolve("proc"));
        Files.createDirectories(rootfs.resolve("dev"));
        int port = EmbeddedKafka.freePort();
        List<String> entrypoint = new ArrayList<>();
        image.config().path("config").path("Entrypoint").forEach(a -> entrypoint.add("'" + a.asString() + "'"));
        // what a container runtime does, less the cgroups: a root of its own, /dev, /proc of its own namespace
        String inside = "mount --rbind /dev '" + rootfs + "/dev' && exec chroot '" + rootfs + "' /opt/java/bin/java"
                + entrypoint.subList(1, entrypoint.size()).stream().reduce("", (a, b) -> a + " " + b);
        ProcessBuilder pb = new ProcessBuilder("unshare", "--map-root-user", "--mount", "--pid", "--fork",
                "--kill-child", "--mount-proc=" + rootfs.resolve("proc"), "sh", "-c", inside);
        Map<String, String> env = pb.environment();
        env.clear();
        env.put("PATH", "/opt/java/bin:/bin:/usr/bin:/usr/sbin:/sbin");
        env.put("JAVA_HOME", "/opt/java");
        env.put("KAFKA_BOOTSTRAP_SERVERS", pipeline.kafkaBootstrapServers());
        env.put("ANALYTICS_PORT", Integer.toString(port));
        env.put("ANALYTICS_APPLICATION_ID", "image-test-" + UUID.randomUUID());
        env.put("ANALYTICS_STATE_DIR", "/var/lib/analytics");
        env.put("JAVA_TOOL_OPTIONS", "-Xmx256m");
        Path log = Files.createTempFile("analytics-image", ".log");
        Process process = pb.redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            HttpClient http = HttpClient.newHttpClient();
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                    .ignoreExceptionsInstanceOf(IOException.class).untilAsserted(() -> {
                assertThat(process.isAlive()).as("the image's process runs (log: %s)", Files.readString(log))
                        .isTrue();
                HttpResponse<String> ready = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                        + "/actuator/health/readiness")).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(ready.statusCode()).isEqualTo(200);
            });
            // and answers queries from its stores once its tasks run
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                    .ignoreExceptionsInstanceOf(IOException.class).untilAsserted(() -> {
                        HttpResponse<String> stats = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                                + port + "/internal/stats?minutes=5")).timeout(Duration.ofSeconds(5)).build(),
                                HttpResponse.BodyHandlers.ofString());
                        assertThat(stats.statusCode()).as(stats.body()).isEqualTo(200);
                        assertThat(stats.body()).contains("\"minutes\"");
                    });
            // RocksDB's native library loaded from the image's own C++ runtime, its stores where the volume goes
            assertThat(rootfs.resolve("var/lib/analytics")).isDirectoryContaining(p -> true);
        } finally {
            process.destroy();
            if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    private static Path tarball(String service) {
        Path tar = ROOT.resolve(service).resolve("target").resolve(service + "-image.tar");
        // make test builds the images where it can (Linux x86-64: scripts/image-base.sh); CI requires them
        if (!Files.exists(tar) && !"true".equals(System.getenv("REQUIRE_IMAGE_TESTS"))) {
            org.junit.jupiter.api.Assumptions.abort("no images built on this machine (make images);"
                    + " REQUIRE_IMAGE_TESTS=true makes their absence a failure");
        }
        assertThat(tar).as("the image of %s (make images builds it; make test too)", service).exists();
        return tar;
    }

    /** An image tarball as {@code docker save} writes and {@code docker load} reads it. */
    private record Image(Path tar, List<String> tags, JsonNode config, List<String> layers) {
        static Image read(Path tar) throws IOException, InterruptedException {
            JsonNode manifest = MessageCodec.mapper().readTree(extract(tar, "manifest.json")).get(0);
            List<String> tags = new ArrayList<>();
            manifest.path("RepoTags").forEach(t -> tags.add(t.asString()));
            List<String> layers = new ArrayList<>();
            manifest.path("Layers").forEach(l -> layers.add(l.asString()));
            JsonNode config = MessageCodec.mapper().readTree(extract(tar, manifest.path("Config").asString()));
            return new Image(tar, tags, config, layers);
        }

        void unpack(Path rootfs) throws IOException, InterruptedException {
            Path work = Files.createTempDirectory("image-layers");
            run("tar", "-xf", tar.toString(), "-C", work.toString());
            for (String layer : layers) {
                run("tar", "-xzf", work.resolve(layer).toString(), "-C", rootfs.toString());
            }
        }

        private static byte[] extract(Path tar, String member) throws IOException, InterruptedException {
            Process p = new ProcessBuilder("tar", "-xOf", tar.toString(), member).start();
            byte[] out = p.getInputStream().readAllBytes();
            assertThat(p.waitFor()).as("tar -xOf %s %s", tar, member).isZero();
            return out;
        }

        private static void run(String... command) throws IOException, InterruptedException {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            assertThat(p.waitFor()).as("%s: %s", String.join(" ", command), out).isZero();
        }
    }
}
