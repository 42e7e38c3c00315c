package io.kiepipeline.gateway.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.kiepipeline.gateway.GatewayApplication;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.env.Environment;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The REST API's OpenAPI document, as the gateway serves it at {@code /v3/api-docs}, is the checked-in
 * docs/openapi.json: a change of the API's code that the document does not show fails here. Rewrite the file after
 * a deliberate change with {@code -Dopenapi.write=true}.
 */
@SpringBootTest(classes = GatewayApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"spring.config.name=gateway", "API_TOKEN=api-token-123456", "ADMIN_TOKEN=admin-token-123456",
                "CALLBACK_SECRET=callback-secret-123456", "TELEGRAM_POLLING_ENABLED=false",
                "spring.kafka.admin.auto-create=false"})
class OpenApiDocumentTest {
    private static final Path FILE = Path.of("..", "docs", "openapi.json");
    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(SerializationFeature.INDENT_OUTPUT).enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS).build();

    @DynamicPropertySource
    static void noKafka(DynamicPropertyRegistry registry) throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            int closed = s.getLocalPort();
            registry.add("KAFKA_BOOTSTRAP_SERVERS", () -> "127.0.0.1:" + closed);
        }
    }

    @LocalServerPort
    int port;
    @Autowired
    Environment environment;

    @Test
    void theServedDocumentIsTheCheckedInOne() throws Exception {
        String served = normalized(get("/v3/api-docs"));
        if (Boolean.getBoolean("openapi.write")) {
            Files.writeString(FILE, served);
        }
        assertThat(Files.exists(FILE)).as("docs/openapi.json exists (write it with -Dopenapi.write=true)").isTrue();
        assertThat(Files.readString(FILE)).as("docs/openapi.json differs from the code: rewrite it with"
                + " -Dopenapi.write=true after a deliberate change").isEqualTo(served);
    }

    @Test
    void everyEndpointOfTheApiIsDocumentedWithTypedBodiesAndItsErrors() throws Exception {
        JsonNode doc = JSON.readTree(get("/v3/api-docs"));
        List<String> paths = new ArrayList<>();
        doc.path("paths").propertyNames().forEach(paths::add);
        assertThat(paths).containsExactlyInAnyOrder("/api/v1/generations", "/api/v1/quotes", "/api/v1/jobs/{jobId}",
                "/api/v1/users/{userId}/jobs", "/api/v1/accounts/{userId}", "/api/v1/models",
                "/api/v1/admin/deposits", "/api/v1/admin/prices", "/api/v1/admin/kie", "/api/v1/admin/stats",
                "/api/v1/admin/overview", "/api/v1/admin/dead-letters/{topic}",
                "/api/v1/admin/dead-letters/{topic}/replay");
        JsonNode generation = doc.path("paths").path("/api/v1/generations").path("post");
        assertThat(generation.path("requestBody").path("content").path("application/json").path("schema")
                .path("$ref").asString()).endsWith("/GenerationRequest");
        assertThat(generation.path("responses").path("202").path("content").path("*/*").path("schema")
                .path("$ref").asString()).endsWith("/JobAccepted");
        assertThat(generation.path("responses").path("401").path("content").path("*/*").path("schema")
                .path("$ref").asString()).endsWith("/ApiError");
        assertThat(generation.path("parameters").toString()).contains("Idempotency-Key")
                .doesNotContain("\"Authorization\"");
        JsonNode schemas = doc.path("components").path("schemas");
        // the analytics figures are the schemas module's own records, the same the output topics carry
        assertThat(schemas.path("ModelMinute").path("properties").has("timeToResult")).isTrue();
        assertThat(schemas.path("Stats").path("properties").has("totals")).isTrue();
        assertThat(schemas.path("Job").path("properties").has("holdState")).isTrue();
        assertThat(schemas.path("GenerationRequest").path("required").toString()).contains("userId")
                .contains("chatId").contains("model");
        assertThat(doc.path("components").path("securitySchemes").path("apiToken").path("scheme").asString())
                .isEqualTo("bearer");
        // every answer of every call is a named record (or a list of one), never an untyped object
        doc.path("paths").properties().forEach(path -> path.getValue().properties().forEach(op ->
                op.getValue().path("responses").properties().forEach(response -> {
                    JsonNode schema = response.getValue().path("content").path("*/*").path("schema");
                    String ref = schema.has("items") ? schema.path("items").path("$ref").asString()
                            : schema.path("$ref").asString();
                    assertThat(ref).as("%s %s %s", op.getKey(), path.getKey(), response.getKey())
                            .startsWith("#/components/schemas/");
                })));
    }

    @Test
    void itsOwnSettingsWinOverThePlatformDefaults() {
        // gateway.yml answers KIE's callbacks fast when Kafka is down; platform-defaults.yml has longer timeouts
        assertThat(environment.getProperty("spring.kafka.producer.properties.max.block.ms")).isEqualTo("5000");
        assertThat(environment.getProperty("spring.kafka.producer.properties.delivery.timeout.ms"))
                .isEqualTo("8000");
        // and what only the platform sets is there
        assertThat(environment.getProperty("spring.kafka.producer.acks")).isEqualTo("all");
    }

    private String get(String path) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + path)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(path).isEqualTo(200);
        return r.body();
    }

    /** Keys in order and indented: a diff of the file reads as the API's change. */
    private static String normalized(String json) {
        return JSON.writeValueAsString(JSON.readValue(json, Object.class)) + "\n";
    }
}
