package io.kiepipeline.schemas;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import tools.jackson.databind.JsonNode;

/**
 * Whether a message schema can replace another without breaking a reader on either side: consumers built against the
 * old schema read messages written to the new one, and consumers built against the new one read messages written
 * to the old (Kafka keeps old messages; services and analytics jobs are deployed one at a time). So a field may be
 * added when it is optional, and an optional field may go; nothing required may be added, dropped or retyped; no
 * enum, format, pattern or bound may change; and no schema may close itself to added fields.
 */
final class SchemaCompatibility {
    /** What must stay the same where a field or value keeps its name: its kind and what it may hold. */
    private static final List<String> FIXED = List.of("type", "enum", "const", "format", "pattern", "minimum",
            "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength", "minItems", "maxItems",
            "multipleOf");

    private SchemaCompatibility() {
    }

    /** Every way {@code current} breaks a reader of {@code released}; empty when it is compatible. */
    static List<String> problems(JsonNode released, JsonNode current) {
        List<String> out = new ArrayList<>();
        compare("$", released, current, out);
        return out;
    }

    /** What {@link #compare} looks into; any other keyword (uniqueItems, $ref, if/then, ...) must stay as it was. */
    private static final Set<String> HANDLED = Set.of("type", "enum", "const", "format", "pattern", "minimum",
            "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength", "minItems", "maxItems",
            "multipleOf", "properties", "required", "items", "oneOf", "anyOf", "allOf", "additionalProperties",
            "description", "title", "$comment", "examples", "default", "deprecated", "$schema", "$id");

    private static void compare(String path, JsonNode old, JsonNode now, List<String> out) {
        JsonNode closed = now.get("additionalProperties");
        if (closed != null && closed.isBoolean() && !closed.asBoolean()) {
            out.add(path + ": closed to added fields (additionalProperties: false)");
        }
        JsonNode wasClosed = old.get("additionalProperties");
        if (wasClosed != null && !wasClosed.isBoolean() && !wasClosed.equals(now.get("additionalProperties"))) {
            out.add(path + ": additionalProperties changed");
        }
        if (wasClosed != null && wasClosed.isBoolean() && !wasClosed.asBoolean()) {
            for (Iterator<String> it = now.path("properties").propertyNames().iterator(); it.hasNext(); ) {
                String field = it.next();
                if (!old.path("properties").has(field)) {
                    out.add(path + "." + field + ": added where the released schema refuses added fields");
                }
            }
        }
        Set<String> keywords = new TreeSet<>();
        old.propertyNames().forEach(keywords::add);
        now.propertyNames().forEach(keywords::add);
        for (String keyword : keywords) {
            if (!HANDLED.contains(keyword) && !Objects.equals(old.get(keyword), now.get(keyword))) {
                out.add(path + ": " + keyword + " changed from " + old.get(keyword) + " to " + now.get(keyword));
            }
        }
        for (String keyword : FIXED) {
            if (!sameValue(old.get(keyword), now.get(keyword))) {
                out.add(path + ": " + keyword + " changed from " + old.get(keyword) + " to " + now.get(keyword));
            }
        }
        Set<String> wasRequired = names(old.get("required"));
        Set<String> isRequired = names(now.get("required"));
        for (String field : isRequired) {
            if (!wasRequired.contains(field)) {
                out.add(path + "." + field + ": required now (messages written before lack it)");
            }
        }
        for (String field : wasRequired) {
            if (!isRequired.contains(field)) {
                out.add(path + "." + field + ": no longer required (readers built before rely on it)");
            }
        }
        JsonNode oldProps = old.path("properties");
        JsonNode newProps = now.path("properties");
        for (Iterator<String> it = oldProps.propertyNames().iterator(); it.hasNext(); ) {
            String field = it.next();
            if (newProps.has(field)) {
                compare(path + "." + field, oldProps.get(field), newProps.get(field), out);
            }
        }
        if (old.has("items") && now.has("items")) {
            compare(path + "[]", old.get("items"), now.get("items"), out);
        } else if (old.has("items") != now.has("items")) {
            out.add(path + ": items " + (now.has("items") ? "added" : "removed"));
        }
        for (String combinator : List.of("oneOf", "anyOf", "allOf")) {
            JsonNode a = old.get(combinator);
            JsonNode b = now.get(combinator);
            if (a == null && b == null) {
                continue;
            }
            if (a == null || b == null || a.size() != b.size()) {
                out.add(path + ": " + combinator + " changed");
                continue;
            }
            for (int i = 0; i < a.size(); i++) {
                compare(path + "." + combinator + "[" + i + "]", a.get(i), b.get(i), out);
            }
        }
    }

    /** Equal values; a list of types or enum values in another order is the same. */
    private static boolean sameValue(JsonNode a, JsonNode b) {
        if (a != null && b != null && a.isArray() && b.isArray()) {
            return names(a).equals(names(b)) && a.size() == b.size();
        }
        return Objects.equals(a, b);
    }

    private static Set<String> names(JsonNode array) {
        Set<String> out = new TreeSet<>();
        if (array != null && array.isArray()) {
            array.forEach(n -> out.add(n.isString() ? n.asString() : n.toString()));
        } else if (array != null && !array.isNull()) {
            out.add(array.isString() ? array.asString() : array.toString());
        }
        return out;
    }
}
