package io.kiepipeline.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class MessageContractTest {
    private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);

    static List<Message> messages() {
        return Examples.everyMessageType();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("messages")
    void serialisedMessageValidatesAgainstItsJsonSchema(Message message) throws IOException {
        String type = MessageTypes.nameOf(message.getClass());
        String json = MessageCodec.toJson(message);

        List<Error> errors = schemaOf(type).validate(json, InputFormat.JSON,
                ctx -> ctx.executionConfig(cfg -> cfg.formatAssertionsEnabled(true)));

        assertThat(errors).as("%s: %s", type, json).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("messages")
    void messageRoundTripsThroughItsWireName(Message message) {
        String type = MessageTypes.nameOf(message.getClass());

        Message read = MessageCodec.fromJson(type, MessageCodec.toJson(message));

        assertThat(read).isEqualTo(message);
    }

    @Test
    void everyRegisteredTypeHasAnExampleAndASchema() throws IOException {
        Set<String> exampled = messages().stream().map(m -> MessageTypes.nameOf(m.getClass()))
                .collect(Collectors.toSet());

        assertThat(exampled).containsExactlyInAnyOrderElementsOf(MessageTypes.all().keySet());
        for (String type : MessageTypes.all().keySet()) {
            assertThat(schemaOf(type)).as(type).isNotNull();
        }
    }

    @Test
    void schemaRejectsAPayloadWithAMissingField() throws IOException {
        String json = "{\"holdId\":\"" + Examples.HOLD + "\",\"userId\":1}";

        List<Error> errors = schemaOf("ledger.capture-hold.v1").validate(json, InputFormat.JSON);

        assertThat(errors).extracting(Error::getMessage).anyMatch(m -> m.contains("jobId"));
    }

    @Test
    void idsAndEnumsTravelAsPlainValues() {
        String json = MessageCodec.toJson(Examples.everyMessageType().stream()
                .filter(m -> m instanceof GatewayEvent.CallbackReceived).findFirst().orElseThrow());

        assertThat(json).contains("\"jobId\":\"" + Examples.JOB + "\"").contains("\"state\":\"success\"")
                .doesNotContain("value");
    }

    @Test
    void unknownTypeNameIsUnreadable() {
        assertThatThrownBy(() -> MessageCodec.fromJson("io.kiepipeline.Foo", "{}"))
                .isInstanceOf(MessageCodec.UnreadableMessageException.class);
    }

    @Test
    void malformedPayloadIsUnreadable() {
        assertThatThrownBy(() -> MessageCodec.fromJson("ledger.place-hold.v1", "{\"holdId\":\"not-a-uuid\"}"))
                .isInstanceOf(MessageCodec.UnreadableMessageException.class);
    }

    @Test
    void derivedIdsAreStableForTheSameCause() {
        UserId user = new UserId(7);
        assertThat(Ids.jobIdForApiRequest(user, "k")).isEqualTo(Ids.jobIdForApiRequest(user, "k"))
                .isNotEqualTo(Ids.jobIdForApiRequest(user, "k2"));
        assertThat(Ids.holdIdForJob(Examples.JOB)).isEqualTo(Ids.holdIdForJob(Examples.JOB));
    }

    private static Schema schemaOf(String type) throws IOException {
        try (InputStream in = MessageContractTest.class.getResourceAsStream("/schemas/" + type + ".schema.json")) {
            assertThat(in).as("schema file for %s", type).isNotNull();
            return REGISTRY.getSchema(new String(in.readAllBytes(), StandardCharsets.UTF_8), InputFormat.JSON);
        }
    }
}
