package io.kiepipeline.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * docs/asyncapi.yaml is what the code says: every topic, every message type with its JSON Schema, the envelope's
 * headers. Rewrite it after a change with {@code -Dasyncapi.write=true}.
 */
class AsyncApiDocumentTest {
    private static final Path FILE = Path.of("..", "docs", "asyncapi.yaml");

    @Test
    void theCheckedInDocumentIsWhatTheCodeSays() throws IOException {
        String generated = AsyncApiDocument.yaml();
        if (Boolean.getBoolean("asyncapi.write")) {
            Files.writeString(FILE, generated);
        }
        assertThat(Files.exists(FILE)).as("docs/asyncapi.yaml exists (write it with -Dasyncapi.write=true)").isTrue();
        assertThat(Files.readString(FILE)).as("docs/asyncapi.yaml is out of date: rewrite it with"
                + " -Dasyncapi.write=true").isEqualTo(generated);
    }

    @Test
    void theTopicTableOfDocsEventsListsEachTopicsMessageTypes() throws IOException {
        String events = Files.readString(Path.of("..", "docs", "events.md"));
        for (Topic<?> topic : Topics.ALL) {
            String row = events.lines().filter(l -> l.startsWith("| `" + topic.name() + "` |")).findFirst()
                    .orElseThrow(() -> new AssertionError("docs/events.md has no row for " + topic.name()));
            String[] cells = row.split("\\|");
            java.util.Set<String> listed = new java.util.TreeSet<>();
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("`([a-z0-9.-]+\\.v\\d+)`")
                    .matcher(cells[cells.length - 1]);
            while (m.find()) {
                listed.add(m.group(1));
            }
            java.util.Set<String> carried = new java.util.TreeSet<>();
            for (Class<?> type : topic.family().getPermittedSubclasses()) {
                @SuppressWarnings("unchecked")
                String name = MessageTypes.nameOf((Class<? extends Message>) type);
                carried.add(name);
            }
            assertThat(listed).as("the message types docs/events.md lists for %s", topic.name()).isEqualTo(carried);
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyTopicAndEveryMessageTypeIsInItWithItsSchema() throws IOException {
        Map<String, Object> doc = new Yaml().load(AsyncApiDocument.yaml());

        Map<String, Object> channels = (Map<String, Object>) doc.get("channels");
        assertThat(channels.keySet()).containsExactlyInAnyOrderElementsOf(java.util.stream.Stream.concat(
                Topics.ALL.stream().map(Topic::name), AnalyticsViews.ALL.stream().map(AnalyticsViews.View::topic))
                .toList());
        Map<String, Object> messages = (Map<String, Object>) ((Map<String, Object>) doc.get("components"))
                .get("messages");
        assertThat(messages.keySet()).containsExactlyInAnyOrderElementsOf(java.util.stream.Stream.concat(
                MessageTypes.all().keySet().stream(), AnalyticsViews.ALL.stream().map(AnalyticsViews.View::type))
                .toList());
        Map<String, Object> placed = (Map<String, Object>) messages.get("ledger.hold-placed.v1");
        Map<String, Object> payload = (Map<String, Object>) ((Map<String, Object>) placed.get("payload"))
                .get("schema");
        assertThat((List<String>) payload.get("required")).contains("holdId", "amountMinor", "currency");
        assertThat(placed.get("headers")).isEqualTo(Map.of("$ref", "#/components/schemas/EnvelopeHeaders"));
        Map<String, Object> ledgerCommands = (Map<String, Object>) channels.get("ledger.commands");
        assertThat((Map<String, Object>) ledgerCommands.get("messages")).containsKey("ledger.place-hold.v1");
        assertThat((String) ledgerCommands.get("description")).contains("the user id");
    }
}
