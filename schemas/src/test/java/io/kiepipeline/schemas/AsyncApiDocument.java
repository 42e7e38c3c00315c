package io.kiepipeline.schemas;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.json.JsonMapper;

/**
 * docs/asyncapi.yaml, written from the code's own registry of topics ({@link Topics}), message types
 * ({@link MessageTypes}), envelope headers ({@link Headers}) and the JSON Schemas each message is validated against:
 * an AsyncAPI 3.0 document of every topic, its key, who writes and who reads it, and every message with its headers
 * and payload. {@code AsyncApiDocumentTest} fails when the checked-in file differs from what the code says.
 */
final class AsyncApiDocument {
    /** Who writes and who reads each topic (the services' listeners and outboxes; docs/events.md). */
    static final Map<String, String[]> PRODUCERS_AND_CONSUMERS = Map.ofEntries(
            Map.entry("gateway.events", new String[] {"gateway (acked before it answers), bot (outbox)",
                    "orchestrator"}),
            Map.entry("ledger.commands", new String[] {"orchestrator (outbox), gateway (top-ups), bot (outbox: "
                    + "payments, bonuses, admin credits and debits)", "ledger"}),
            Map.entry("ledger.events", new String[] {"ledger (outbox)",
                    "orchestrator, delivery-worker (captures), bot, analytics"}),
            Map.entry("kie-worker.commands", new String[] {"orchestrator (outbox)", "kie-worker"}),
            Map.entry("kie-worker.events", new String[] {"kie-worker (outbox)", "orchestrator"}),
            Map.entry("kie-worker.accounts", new String[] {"kie-worker (outbox)", "orchestrator, operators"}),
            Map.entry("orchestrator.events", new String[] {"orchestrator (outbox)",
                    "delivery-worker, bot, analytics"}),
            Map.entry("delivery-worker.events", new String[] {"delivery-worker (outbox)", "orchestrator"}),
            Map.entry("gateway.telegram-updates", new String[] {"gateway (acked before the update is confirmed to "
                    + "Telegram)", "bot"}),
            Map.entry("bot.chat-commands", new String[] {"bot (outbox)", "delivery-worker"}));

    private AsyncApiDocument() {
    }

    static String yaml() {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("asyncapi", "3.0.0");
        doc.put("info", map(
                "title", "KIE Pipeline events",
                "version", Integer.toString(MessageTypes.SCHEMA_VERSION),
                "description", "Every Kafka topic of KIE Pipeline and every message on it, for the services and for"
                        + " downstream consumers (analytics). Generated from the code (schemas module,"
                        + " AsyncApiDocument); docs/events.md explains the semantics. Delivery is at least once:"
                        + " dedupe on the event-id header. Order holds per key only. Fields may be added to a"
                        + " message (optional ones only): ignore fields you do not know. A breaking change is a new"
                        + " version of the type (.v2), published beside the old one."));
        doc.put("defaultContentType", "application/json");
        doc.put("servers", map("kafka", map("host", "localhost:9092", "protocol", "kafka",
                "description", "KAFKA_BOOTSTRAP_SERVERS of the deployment")));
        Map<String, Object> channels = new LinkedHashMap<>();
        Map<String, Object> operations = new LinkedHashMap<>();
        Map<String, Object> messages = new LinkedHashMap<>();
        for (Topic<?> topic : Topics.ALL) {
            Map<String, Object> refs = new LinkedHashMap<>();
            List<Map<String, Object>> operationRefs = new ArrayList<>();
            for (Class<?> type : Arrays.stream(topic.family().getPermittedSubclasses()).toList()) {
                @SuppressWarnings("unchecked")
                String name = MessageTypes.nameOf((Class<? extends Message>) type);
                refs.put(name, map("$ref", "#/components/messages/" + name));
                operationRefs.add(map("$ref", "#/channels/" + topic.name() + "/messages/" + name));
                messages.put(name, message(name, type.getSimpleName(), topic));
            }
            String[] who = PRODUCERS_AND_CONSUMERS.get(topic.name());
            if (who == null) {
                throw new IllegalStateException("who writes and reads " + topic.name() + "? (PRODUCERS_AND_CONSUMERS)");
            }
            channels.put(topic.name(), map(
                    "address", topic.name(),
                    "description", "Key: " + key(topic.keyKind()) + ". Written by " + who[0] + "; read by "
                            + who[1] + "." + (topic.compacted() ? " Compacted: the latest message per key is kept."
                            : "") + " Its dead letters go to " + topic.deadLetter() + ".",
                    "messages", refs,
                    "bindings", map("kafka", map("partitions", topic.compacted() ? 1 : 12,
                            "topicConfiguration", map("cleanup.policy", List.of(topic.compacted() ? "compact"
                                    : "delete")),
                            "bindingVersion", "0.5.0"))));
            operations.put("read." + topic.name(), map(
                    "action", "receive",
                    "channel", map("$ref", "#/channels/" + topic.name()),
                    "summary", "Read by " + who[1],
                    "messages", operationRefs));
        }
        for (AnalyticsViews.View view : AnalyticsViews.ALL) {
            channels.put(view.topic(), map(
                    "address", view.topic(),
                    "description", "Key: " + view.key() + ". Written by analytics (Kafka Streams, exactly once);"
                            + " read by dashboards and downstream consumers. Compacted: the latest figures per key"
                            + " are kept; a record per change. No envelope headers: a view is state, not an event.",
                    "messages", map(view.type(), map("$ref", "#/components/messages/" + view.type())),
                    "bindings", map("kafka", map("partitions", 12,
                            "topicConfiguration", map("cleanup.policy", List.of("compact")),
                            "bindingVersion", "0.5.0"))));
            operations.put("read." + view.topic(), map(
                    "action", "receive",
                    "channel", map("$ref", "#/channels/" + view.topic()),
                    "summary", "Read by dashboards and downstream consumers",
                    "messages", List.of(map("$ref", "#/channels/" + view.topic() + "/messages/" + view.type()))));
            messages.put(view.type(), viewMessage(view));
        }
        doc.put("channels", channels);
        doc.put("operations", operations);
        doc.put("components", map("messages", messages, "schemas", map("EnvelopeHeaders", headers())));
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        options.setIndent(2);
        options.setWidth(120);
        options.setSplitLines(false);
        return "# Generated from the code by AsyncApiDocumentTest (schemas module): do not edit by hand.\n"
                + "# Rewrite it with: ./mvnw -pl schemas test -Dtest=AsyncApiDocumentTest -Dasyncapi.write=true\n"
                + new Yaml(options).dump(doc);
    }

    private static Map<String, Object> message(String name, String title, Topic<?> topic) {
        Map<String, Object> schema = schema(name);
        String summary = (String) schema.remove("description");
        schema.remove("$schema");
        schema.remove("$id");
        schema.remove("title");
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("title", title);
        if (summary != null) {
            m.put("summary", summary);
        }
        m.put("contentType", "application/json");
        m.put("headers", map("$ref", "#/components/schemas/EnvelopeHeaders"));
        m.put("payload", map("schemaFormat", "application/schema+json;version=draft-07", "schema", schema));
        m.put("bindings", map("kafka", map("key", map("type", "string", "description", key(topic.keyKind())),
                "bindingVersion", "0.5.0")));
        return m;
    }

    private static Map<String, Object> viewMessage(AnalyticsViews.View view) {
        Map<String, Object> schema = schema(view.type());
        String summary = (String) schema.remove("description");
        schema.remove("$schema");
        schema.remove("$id");
        schema.remove("title");
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", view.type());
        m.put("title", view.payload().getSimpleName());
        m.put("summary", summary);
        m.put("contentType", "application/json");
        m.put("payload", map("schemaFormat", "application/schema+json;version=draft-07", "schema", schema));
        m.put("bindings", map("kafka", map("key", map("type", "string", "description", view.key()),
                "bindingVersion", "0.5.0")));
        return m;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> schema(String type) {
        try (InputStream in = AsyncApiDocument.class.getResourceAsStream("/schemas/" + type + ".schema.json")) {
            if (in == null) {
                throw new IllegalStateException("no JSON Schema for " + type);
            }
            return JsonMapper.builder().build().readValue(new String(in.readAllBytes(), StandardCharsets.UTF_8),
                    LinkedHashMap.class);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Map<String, Object> headers() {
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put(Headers.EVENT_ID, map("type", "string", "format", "uuid",
                "description", "unique per message; consumers dedupe on it"));
        properties.put(Headers.EVENT_TYPE, map("type", "string",
                "description", "the message type, <area>.<name>.v<version>, e.g. ledger.hold-placed.v1"));
        properties.put(Headers.SCHEMA_VERSION, map("type", "string",
                "description", "the number at the end of the type name"));
        properties.put(Headers.OCCURRED_AT, map("type", "string", "format", "date-time",
                "description", "when the producer recorded the message (ISO-8601, UTC)"));
        properties.put(Headers.CORRELATION_ID, map("type", "string",
                "description", "the job id where there is one: follows one job across topics and logs"));
        properties.put(Headers.CAUSATION_ID, map("type", "string",
                "description", "the event-id of the message that caused this one"));
        return map("type", "object", "description", "Kafka headers, UTF-8 strings",
                "required", List.of(Headers.EVENT_ID, Headers.EVENT_TYPE, Headers.SCHEMA_VERSION, Headers.OCCURRED_AT),
                "properties", properties);
    }

    private static String key(Topic.KeyKind kind) {
        return switch (kind) {
            case JOB_ID -> "the job id (a UUID): one job's messages stay in order";
            case USER_ID -> "the user id (Telegram's, an integer as text): one user's money moves in order";
            case CHAT_ID -> "the chat id (an integer as text; the user's id for an update without a chat)";
            case SINGLE -> "one fixed key: the topic holds the latest state";
        };
    }

    private static Map<String, Object> map(Object... keyValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put((String) keyValues[i], keyValues[i + 1]);
        }
        return m;
    }
}
