package io.kiepipeline.platform.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.slf4j.event.KeyValuePair;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** {@code LOG_FORMAT=json}: one JSON object per line, the step's key-value pairs as fields, every secret masked. */
class JsonLogsTest {
    private static final String SECRET = "json-logs-secret-0123456789";
    private static final String QUOTED_SECRET = "a\"quoted\\secret-0123";

    private final LoggerContext context = (LoggerContext) org.slf4j.LoggerFactory.getILoggerFactory();

    @Test
    void aJsonLineCarriesTheStepItsKeyValuePairsAndNoSecret() {
        SecretMasker.register(SECRET);
        PipelineLogEncoder encoder = encoder("json");
        LoggingEvent event = event("job.created token=" + SECRET + " and " + SECRET);
        event.addKeyValuePair(new KeyValuePair("jobId", "1d18c0de"));
        event.addKeyValuePair(new KeyValuePair("userId", 42L));
        event.addKeyValuePair(new KeyValuePair("taskId", "task_" + SECRET));
        event.setThrowableProxy(new ch.qos.logback.classic.spi.ThrowableProxy(
                new IllegalStateException("failed with " + SECRET)));

        String line = new String(encoder.encode(event), StandardCharsets.UTF_8);

        assertThat(line).endsWith("\n");
        assertThat(line.strip()).doesNotContain("\n").doesNotContain(SECRET);
        JsonNode json = JsonMapper.builder().build().readTree(line);
        assertThat(json.path("message").asString()).startsWith("job.created token=****");
        assertThat(json.path("jobId").asString()).isEqualTo("1d18c0de");
        assertThat(json.path("userId").asString()).isEqualTo("42");
        assertThat(json.path("taskId").asString()).isEqualTo("task_****");
        assertThat(json.path("log").path("level").asString()).isEqualTo("INFO");
        assertThat(json.path("@timestamp").asString()).isNotBlank();
        assertThat(json.path("error").path("stack_trace").asString()).contains("failed with ****");
    }

    @Test
    void aSecretIsMaskedAsJsonWritesItEscaped() {
        SecretMasker.register(QUOTED_SECRET);
        PipelineLogEncoder encoder = encoder("json");
        LoggingEvent event = event("probe");
        event.addKeyValuePair(new KeyValuePair("header", "Authorization: " + QUOTED_SECRET));

        String line = new String(encoder.encode(event), StandardCharsets.UTF_8);

        assertThat(line).doesNotContain("quoted").contains("****");
        assertThat(JsonMapper.builder().build().readTree(line).path("header").asString())
                .isEqualTo("Authorization: ****");
    }

    @Test
    void aSecretWithControlCharactersOrEndingInABackslashIsMaskedAndTheLineStaysJson() {
        String[] secrets = {"ctrl-secret-\b-\f-0123", "esc-secret-\u001b-0123", "c1-secret-\u0085-0123",
                "ends-in-backslash-0123\\"};
        for (String secret : secrets) {
            SecretMasker.register(secret);
        }
        PipelineLogEncoder encoder = encoder("json");
        for (String secret : secrets) {
            LoggingEvent event = event("the key is " + secret + " and more");
            event.addKeyValuePair(new KeyValuePair("key", secret));

            String line = new String(encoder.encode(event), StandardCharsets.UTF_8);

            JsonNode json = JsonMapper.builder().build().readTree(line);
            assertThat(json.path("message").asString()).as(line).isEqualTo("the key is **** and more");
            assertThat(json.path("key").asString()).isEqualTo("****");
        }
    }

    @Test
    void aCredentialInAQuotedUrlIsMaskedWithoutBreakingTheJson() {
        PipelineLogEncoder encoder = encoder("json");
        LoggingEvent event = event("I/O error on GET request for \"https://x.example/a?token=abc123\": refused");

        String line = new String(encoder.encode(event), StandardCharsets.UTF_8);

        assertThat(JsonMapper.builder().build().readTree(line).path("message").asString())
                .isEqualTo("I/O error on GET request for \"https://x.example/a?token=****\": refused");
    }

    @Test
    void textIsTheDefaultAndAnUnknownFormatFallsBackToIt() {
        for (String format : new String[] {"text", "yaml"}) {
            PipelineLogEncoder encoder = encoder(format);
            LoggingEvent event = event("job.created");
            event.addKeyValuePair(new KeyValuePair("jobId", "1d18c0de"));

            String line = new String(encoder.encode(event), StandardCharsets.UTF_8);

            assertThat(encoder.json()).isFalse();
            assertThat(line).contains("job.created jobId=\"1d18c0de\"").doesNotStartWith("{");
        }
    }

    private PipelineLogEncoder encoder(String format) {
        PipelineLogEncoder encoder = new PipelineLogEncoder();
        encoder.setContext(context);
        encoder.setFormat(format);
        encoder.setPattern("%-5level %logger{0} %msg %kvp%n");
        encoder.start();
        return encoder;
    }

    private LoggingEvent event(String message) {
        return new LoggingEvent(JsonLogsTest.class.getName(), context.getLogger("io.kiepipeline.Test"), Level.INFO,
                message, null, null);
    }
}
