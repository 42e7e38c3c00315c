package io.kiepipeline.platform.kie;

import io.kiepipeline.schemas.Limits;
import io.kiepipeline.schemas.MessageCodec;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * Reads the {@code data} object KIE sends in callbacks and returns from recordInfo (kie-api.md §2.2, §4.1). One reader
 * for both, so that a callback and a poll can never disagree about the same task.
 */
public final class KieTaskData {
    private KieTaskData() {
    }

    /**
     * {@code data.taskId}, or {@code data.task_id} in older bodies; null when neither is there.
     *
     * @throws IllegalArgumentException when the id is longer than any task id ({@link Limits#TASK_ID})
     */
    public static String taskId(JsonNode data) {
        String id = text(data, "taskId");
        id = id != null ? id : text(data, "task_id");
        if (id != null && id.length() > Limits.TASK_ID) {
            throw new IllegalArgumentException("taskId is longer than " + Limits.TASK_ID + " characters");
        }
        return id;
    }

    /**
     * The result URLs in {@code resultJson}, which is a JSON string inside the JSON ({@code "{\"resultUrls\":[…]}"})
     * or, in some copies, an object. Empty when there is no result.
     *
     * @throws IllegalArgumentException when {@code resultJson} is not JSON, or holds more than
     *                                  {@link Limits#RESULT_URLS} URLs or one longer than {@link Limits#URL}
     */
    public static List<String> resultUrls(JsonNode data) {
        List<String> urls = new ArrayList<>();
        JsonNode resultJson = data.get("resultJson");
        if (resultJson == null || resultJson.isNull() || resultJson.isString() && resultJson.asString().isBlank()) {
            return urls;
        }
        JsonNode result;
        try {
            result = resultJson.isString() ? MessageCodec.mapper().readTree(resultJson.asString()) : resultJson;
        } catch (JacksonException e) {
            throw new IllegalArgumentException("resultJson is not JSON");
        }
        for (JsonNode u : result.path("resultUrls")) {
            if (u.isString() && !u.asString().isBlank()) {
                if (u.asString().length() > Limits.URL) {
                    throw new IllegalArgumentException("a result URL is longer than " + Limits.URL + " characters");
                }
                urls.add(u.asString());
            }
            if (urls.size() > Limits.RESULT_URLS) {
                throw new IllegalArgumentException("more than " + Limits.RESULT_URLS + " result URLs");
            }
        }
        return urls;
    }

    /** {@code creditsConsumed}, or {@code consumeCredits} in older bodies; null when neither is there. */
    public static Long credits(JsonNode data) {
        for (String field : List.of("creditsConsumed", "consumeCredits")) {
            JsonNode n = data.get(field);
            if (n != null && n.isNumber()) {
                return n.asLong();
            }
        }
        return null;
    }

    /** A field as text; null when missing, null or blank. */
    public static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        String s = v.isString() ? v.asString() : v.toString();
        return s.isBlank() ? null : s;
    }
}
