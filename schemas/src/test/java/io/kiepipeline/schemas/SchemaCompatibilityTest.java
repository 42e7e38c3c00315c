package io.kiepipeline.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The event schemas keep the compatibility docs/events.md promises to services and downstream analytics: each
 * current schema against its last released copy (src/test/resources/released), and each new version of a message
 * against the version before it.
 */
class SchemaCompatibilityTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Path CURRENT = Path.of("src/main/resources/schemas");
    private static final Path RELEASED = Path.of("src/test/resources/released");
    private static final Pattern VERSIONED = Pattern.compile("(.+)\\.v(\\d+)\\.schema\\.json");

    @Test
    void everySchemaAcceptsFieldsAddedLater() throws IOException {
        for (Map.Entry<String, JsonNode> e : schemas(CURRENT).entrySet()) {
            assertThat(e.getValue().toString()).as(e.getKey()).doesNotContain("\"additionalProperties\":false");
        }
    }

    @Test
    void everySchemaStaysCompatibleWithItsReleasedCopy() throws IOException {
        Map<String, JsonNode> released = schemas(RELEASED);
        Map<String, JsonNode> current = schemas(CURRENT);
        assertThat(released).isNotEmpty();
        assertThat(current.keySet()).as("a released message type never disappears").containsAll(released.keySet());
        for (Map.Entry<String, JsonNode> e : released.entrySet()) {
            assertThat(SchemaCompatibility.problems(e.getValue(), current.get(e.getKey()))).as(e.getKey()).isEmpty();
        }
    }

    @Test
    void aNewVersionOfAMessageIsCompatibleWithTheVersionBeforeIt() throws IOException {
        Map<String, JsonNode> current = schemas(CURRENT);
        for (String name : current.keySet()) {
            Matcher m = VERSIONED.matcher(name);
            assertThat(m.matches()).as("%s is named <type>.v<n>.schema.json", name).isTrue();
            int version = Integer.parseInt(m.group(2));
            if (version > 1) {
                String previous = m.group(1) + ".v" + (version - 1) + ".schema.json";
                assertThat(current).as("%s has its previous version beside it", name).containsKey(previous);
                assertThat(SchemaCompatibility.problems(current.get(previous), current.get(name))).as(name).isEmpty();
            }
        }
    }

    @Test
    void anOptionalFieldMayComeAndGo() throws IOException {
        JsonNode released = released("ledger.hold-placed.v1.schema.json");
        ObjectNode added = (ObjectNode) released.deepCopy();
        ((ObjectNode) added.get("properties")).putObject("note").put("type", "string");
        ObjectNode dropped = (ObjectNode) added.deepCopy();
        ((ObjectNode) dropped.get("properties")).remove("note");
        ((ObjectNode) added.get("properties").get("amountMinor")).put("description", "reworded");

        assertThat(SchemaCompatibility.problems(released, added)).isEmpty();
        assertThat(SchemaCompatibility.problems(added, dropped)).isEmpty();
    }

    @Test
    void aRequiredFieldAddedDroppedOrRetypedBreaksReaders() throws IOException {
        JsonNode released = released("ledger.hold-placed.v1.schema.json");
        ObjectNode newRequired = (ObjectNode) released.deepCopy();
        ((ObjectNode) newRequired.get("properties")).putObject("reason").put("type", "string");
        ((ArrayNode) newRequired.get("required")).add("reason");
        ObjectNode dropped = (ObjectNode) released.deepCopy();
        ((ObjectNode) dropped.get("properties")).remove("heldMinor");
        ArrayNode required = (ArrayNode) dropped.get("required");
        for (int i = 0; i < required.size(); i++) {
            if (required.get(i).asString().equals("heldMinor")) {
                required.remove(i);
            }
        }
        ObjectNode retyped = (ObjectNode) released.deepCopy();
        ((ObjectNode) retyped.get("properties").get("amountMinor")).put("type", "number");

        assertThat(SchemaCompatibility.problems(released, newRequired)).singleElement().asString()
                .contains("$.reason: required now");
        assertThat(SchemaCompatibility.problems(released, dropped)).singleElement().asString()
                .contains("$.heldMinor: no longer required");
        assertThat(SchemaCompatibility.problems(released, retyped)).singleElement().asString()
                .contains("$.amountMinor: type changed");
    }

    @Test
    void anEnumValueAddedOrAPatternTightenedOrTheSchemaClosedBreaksReaders() throws IOException {
        JsonNode released = released("job.rejected.v1.schema.json");
        ObjectNode moreReasons = (ObjectNode) released.deepCopy();
        ((ArrayNode) moreReasons.get("properties").get("reason").get("enum")).add("SOMETHING_NEW");
        ObjectNode tighter = (ObjectNode) released.deepCopy();
        ((ObjectNode) tighter.get("properties").get("requote").get("oneOf").get(1).get("properties")
                .get("currency")).put("pattern", "^RUB$");
        ObjectNode closed = (ObjectNode) released.deepCopy();
        closed.put("additionalProperties", false);

        assertThat(SchemaCompatibility.problems(released, moreReasons)).singleElement().asString()
                .contains("$.reason: enum changed");
        assertThat(SchemaCompatibility.problems(released, tighter)).singleElement().asString()
                .contains("$.requote.oneOf[1].currency: pattern changed");
        assertThat(SchemaCompatibility.problems(released, closed)).singleElement().asString()
                .contains("closed to added fields");
    }

    @Test
    void aFieldAddedToASchemaThatWasClosedOrANewConstraintBreaksReaders() throws IOException {
        JsonNode released = released("ledger.hold-placed.v1.schema.json");
        ObjectNode closedBefore = (ObjectNode) released.deepCopy();
        closedBefore.put("additionalProperties", false);
        ObjectNode openedWithAField = (ObjectNode) released.deepCopy();
        ((ObjectNode) openedWithAField.get("properties")).putObject("note").put("type", "string");
        ObjectNode constrained = (ObjectNode) released.deepCopy();
        ((ObjectNode) constrained.get("properties").get("currency")).putArray("not").add("XTR");
        ObjectNode referenced = (ObjectNode) released.deepCopy();
        ((ObjectNode) referenced.get("properties").get("holdId")).put("$ref", "#/$defs/id");

        assertThat(SchemaCompatibility.problems(closedBefore, openedWithAField)).singleElement().asString()
                .contains("$.note: added where the released schema refuses added fields");
        assertThat(SchemaCompatibility.problems(released, constrained)).singleElement().asString()
                .contains("$.currency: not changed");
        assertThat(SchemaCompatibility.problems(released, referenced)).singleElement().asString()
                .contains("$.holdId: $ref changed");
        // opening a closed schema, with nothing else, only accepts more
        assertThat(SchemaCompatibility.problems(closedBefore, released)).isEmpty();
    }

    @Test
    void aMessageWithAFieldAddedLaterStillValidatesAndIsRead() throws IOException {
        Message message = Examples.everyMessageType().stream()
                .filter(m -> m instanceof LedgerEvent.HoldPlaced).findFirst().orElseThrow();
        ObjectNode json = (ObjectNode) JSON.readTree(MessageCodec.toJson(message));
        json.put("addedByANewerProducer", "whatever it is");

        var errors = com.networknt.schema.SchemaRegistry.withDefaultDialect(
                        com.networknt.schema.SpecificationVersion.DRAFT_2020_12)
                .getSchema(Files.readString(CURRENT.resolve("ledger.hold-placed.v1.schema.json")),
                        com.networknt.schema.InputFormat.JSON)
                .validate(json.toString(), com.networknt.schema.InputFormat.JSON);

        assertThat(errors).isEmpty();
        assertThat(MessageCodec.fromJson("ledger.hold-placed.v1", json.toString())).isEqualTo(message);
    }

    private static JsonNode released(String name) throws IOException {
        return JSON.readTree(Files.readString(RELEASED.resolve(name)));
    }

    private static Map<String, JsonNode> schemas(Path dir) throws IOException {
        Map<String, JsonNode> out = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".schema.json")).toList()) {
                out.put(f.getFileName().toString(), JSON.readTree(Files.readString(f)));
            }
        }
        return out;
    }
}
