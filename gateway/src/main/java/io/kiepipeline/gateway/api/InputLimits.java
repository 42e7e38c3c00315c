package io.kiepipeline.gateway.api;

import io.kiepipeline.schemas.Limits;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * Bounds a job's {@code input} at the edge ({@link Limits}): how many fields, how long their names and texts, how long
 * lists, how deep. The model's own schema is checked later by the orchestrator; this only keeps a request from being
 * large enough to hurt anyone else. Says which limit was hit, in words a client can act on.
 */
final class InputLimits {
    private InputLimits() {
    }

    static Optional<String> problemWith(JsonNode input) {
        if (input.size() > Limits.INPUT_FIELDS) {
            return Optional.of("input has " + input.size() + " fields; at most " + Limits.INPUT_FIELDS
                    + " are accepted");
        }
        return check("input", input, 1);
    }

    private static Optional<String> check(String where, JsonNode node, int depth) {
        if (node.isObject() || node.isArray()) {
            if (depth > Limits.INPUT_DEPTH) {
                return Optional.of(where + " nests deeper than " + Limits.INPUT_DEPTH + " levels");
            }
            if (node.isArray() && node.size() > Limits.INPUT_LIST_ITEMS) {
                return Optional.of(where + " has " + node.size() + " items; at most " + Limits.INPUT_LIST_ITEMS
                        + " are accepted");
            }
            if (node.isObject() && node.size() > Limits.INPUT_FIELDS) {
                return Optional.of(where + " has " + node.size() + " fields; at most " + Limits.INPUT_FIELDS
                        + " are accepted");
            }
            if (node.isObject()) {
                for (Map.Entry<String, JsonNode> field : node.properties()) {
                    if (field.getKey().length() > Limits.INPUT_FIELD_NAME) {
                        return Optional.of(where + " has a field name longer than " + Limits.INPUT_FIELD_NAME
                                + " characters");
                    }
                    Optional<String> p = check(where + "." + field.getKey(), field.getValue(), depth + 1);
                    if (p.isPresent()) {
                        return p;
                    }
                }
            } else {
                int i = 0;
                for (Iterator<JsonNode> it = node.values().iterator(); it.hasNext(); i++) {
                    Optional<String> p = check(where + "[" + i + "]", it.next(), depth + 1);
                    if (p.isPresent()) {
                        return p;
                    }
                }
            }
            return Optional.empty();
        }
        if (node.isString() && node.asString().length() > Limits.INPUT_TEXT) {
            return Optional.of(where + " is " + node.asString().length() + " characters; at most "
                    + Limits.INPUT_TEXT + " are accepted");
        }
        return Optional.empty();
    }
}
