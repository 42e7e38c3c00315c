package io.kiepipeline.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.kiepipeline.platform.callbacks.CallbackToken;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * With Kafka unreachable the gateway accepts nothing: KIE callbacks get 503 (so KIE retries) and API requests get
 * 503, instead of a 2xx for a message that was never stored.
 */
@SpringBootTest(classes = GatewayApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"spring.config.name=gateway", "API_TOKEN=api-token-123456", "ADMIN_TOKEN=admin-token-123456",
                "CALLBACK_SECRET=callback-secret-123456", "TELEGRAM_POLLING_ENABLED=false",
                "spring.kafka.admin.auto-create=false", "spring.kafka.producer.properties.max.block.ms=1500",
                "pipeline.gateway.publish-timeout=3s"})
class KafkaDownTest {
    @DynamicPropertySource
    static void deadKafka(DynamicPropertyRegistry registry) throws IOException {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        int port = closed;
        registry.add("KAFKA_BOOTSTRAP_SERVERS", () -> "127.0.0.1:" + port);
    }

    @LocalServerPort
    int port;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void answers503ToAValidCallbackSoThatKieRetries() throws Exception {
        String jobId = UUID.randomUUID().toString();
        String token = new CallbackToken("callback-secret-123456")
                .tokenFor(jobId, java.time.Instant.now().plusSeconds(600));

        HttpResponse<String> r = post("/kie/callback/" + jobId + "?token=" + token, null, null,
                "{\"code\":200,\"data\":{\"taskId\":\"t1\",\"state\":\"success\",\"resultJson\":"
                        + "\"{\\\"resultUrls\\\":[\\\"https://x.example/y.png\\\"]}\"}}");

        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.body()).contains("\"code\":503");
    }

    @Test
    void answers503ToAGenerationRequest() throws Exception {
        HttpResponse<String> r = post("/api/v1/generations", "api-token-123456", "k-1",
                "{\"userId\":1,\"chatId\":1,\"model\":\"google/nano-banana\",\"input\":{\"prompt\":\"x\"}}");

        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.body()).contains("unavailable");
    }

    @Test
    void staysLiveButIsNotReadyWhileKafkaIsDown() throws Exception {
        assertThat(get("/actuator/health/liveness", null).statusCode()).isEqualTo(200);
        HttpResponse<String> readiness = get("/actuator/health/readiness", null);
        assertThat(readiness.statusCode()).isEqualTo(503);
        assertThat(readiness.body()).contains("DOWN");
    }

    @Test
    void keepsTheActuatorButHealthBehindTheAdminTokenOnItsPublicPort() throws Exception {
        for (String path : new String[] {"/actuator/prometheus", "/actuator/metrics", "/actuator",
                "/actuator;x=1/prometheus", "//actuator//prometheus", "/actuator/health/../prometheus",
                "/%61ctuator/prometheus", "/actuator/prometheus/"}) {
            HttpResponse<String> r = get(path, null);
            assertThat(r.statusCode()).as(path).isIn(400, 401, 404);
            assertThat(r.body()).as(path).doesNotContain("jvm_");
        }
        assertThat(get("/actuator/prometheus", "api-token-123456").statusCode()).as("the API token is not enough")
                .isEqualTo(401);
        HttpResponse<String> scraped = get("/actuator/prometheus", "admin-token-123456");
        assertThat(scraped.statusCode()).isEqualTo(200);
        assertThat(scraped.body()).contains("jvm_memory_used_bytes").contains("service=\"gateway\"");
    }

    private HttpResponse<String> get(String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET();
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void stillRefusesAForgedCallbackWith401() throws Exception {
        HttpResponse<String> r = post("/kie/callback/" + UUID.randomUUID() + "?token=nope", null, null, "{}");

        assertThat(r.statusCode()).isEqualTo(401);
    }

    private HttpResponse<String> post(String path, String token, String key, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (key != null) {
            b.header("Idempotency-Key", key);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
