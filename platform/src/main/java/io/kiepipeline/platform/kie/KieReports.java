package io.kiepipeline.platform.kie;

import io.kiepipeline.schemas.KieApiFamily;
import io.kiepipeline.schemas.KieTaskState;
import io.kiepipeline.schemas.Limits;
import io.kiepipeline.schemas.MessageCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * Reads what KIE says about a task, in every API family's own shape (kie-api.md §2–§4, docs/kie.md "API families"):
 * the status endpoints ({@link #fromStatus}) and the callbacks ({@link #fromCallback}). One reader for both, so a
 * callback and a poll can never disagree about the same task.
 *
 * <pre>
 * family       | status field            | running                          | success   | failure
 * MARKET       | data.state              | waiting, queuing, generating     | success   | fail
 * VEO, FLUX    | data.successFlag        | 0                                | 1         | 2, 3
 * RUNWAY       | data.state              | wait, queueing, generating       | success   | fail
 * GPT4O_IMAGE  | data.status             | GENERATING                       | SUCCESS   | CREATE_TASK_FAILED, GENERATE_FAILED
 * SUNO         | data.status             | PENDING, TEXT_SUCCESS, FIRST_SUCCESS | SUCCESS | *_FAILED, SENSITIVE_WORD_ERROR,
 *              |                         |                                  |           | CALLBACK_EXCEPTION without audio
 * </pre>
 */
public final class KieReports {
    private KieReports() {
    }

    /**
     * What KIE says about one task.
     *
     * @param callBackUrl the callBackUrl of the task's original request, where the status shows it (null otherwise)
     */
    public record Report(String taskId, KieTaskState state, List<String> resultUrls, String failCode,
                         String failMessage, Long creditsConsumed, String callBackUrl) {
        public Report {
            resultUrls = resultUrls == null ? List.of() : List.copyOf(resultUrls);
        }
    }

    /** A body this reader cannot make sense of: the message says what is missing or wrong. */
    public static final class Unreadable extends Exception {
        public Unreadable(String message) {
            super(message);
        }
    }

    /** Reads the {@code data} of a family's status answer (recordInfo, record-info, record-detail). */
    public static Report fromStatus(KieApiFamily family, JsonNode data) throws Unreadable {
        String taskId = taskId(data);
        return switch (family) {
            case MARKET -> new Report(taskId, state(KieTaskData.text(data, "state")), urls(data),
                    KieTaskData.text(data, "failCode"), KieTaskData.text(data, "failMsg"), KieTaskData.credits(data),
                    callBackUrlIn(KieTaskData.text(data, "param")));
            case VEO -> new Report(taskId, successFlag(data), list(data.path("response"), "resultUrls"),
                    KieTaskData.text(data, "errorCode"), KieTaskData.text(data, "errorMessage"),
                    KieTaskData.credits(data), callBackUrlIn(KieTaskData.text(data, "paramJson")));
            case FLUX_KONTEXT -> new Report(taskId, successFlag(data),
                    single(data.path("response"), "resultImageUrl"), KieTaskData.text(data, "errorCode"),
                    KieTaskData.text(data, "errorMessage"), KieTaskData.credits(data),
                    callBackUrlIn(KieTaskData.text(data, "paramJson")));
            case RUNWAY -> new Report(taskId, state(KieTaskData.text(data, "state")),
                    single(data.path("videoInfo"), "videoUrl"), KieTaskData.text(data, "failCode"),
                    KieTaskData.text(data, "failMsg"), KieTaskData.credits(data), null);
            case GPT4O_IMAGE -> {
                List<String> urls = list(data.path("response"), "resultUrls");
                yield new Report(taskId, gpt4oState(data), urls.isEmpty() ? list(data.path("response"),
                        "result_urls") : urls, KieTaskData.text(data, "errorCode"),
                        KieTaskData.text(data, "errorMessage"), KieTaskData.credits(data),
                        callBackUrlIn(KieTaskData.text(data, "paramJson")));
            }
            case SUNO -> {
                List<String> urls = sunoUrls(data.path("response").path("sunoData"), "audioUrl");
                yield new Report(taskId, sunoState(KieTaskData.text(data, "status"), !urls.isEmpty()), urls,
                        KieTaskData.text(data, "errorCode"), KieTaskData.text(data, "errorMessage"),
                        KieTaskData.credits(data), callBackUrlIn(KieTaskData.text(data, "param")));
            }
        };
    }

    /**
     * Reads a callback body of any family, recognised by its shape: {@code data.state} (jobs API),
     * {@code data.callbackType} (Suno: only {@code complete} and {@code error} are final), {@code data.info} (Veo,
     * 4o Image, Flux Kontext), {@code data.video_url} (Runway). The legacy families say success or failure in the
     * envelope's {@code code}.
     *
     * @throws Unreadable when the body is JSON of no known shape: KIE must not retry it, polling decides
     */
    public static Report fromCallback(JsonNode root) throws Unreadable {
        JsonNode data = root == null ? null : root.get("data");
        if (data == null || !data.isObject()) {
            throw new Unreadable("no data object");
        }
        String taskId = taskId(data);
        if (taskId == null) {
            throw new Unreadable("no data.taskId or data.task_id");
        }
        int code = root.path("code").isNumber() ? root.get("code").asInt() : -1;
        String msg = KieTaskData.text(root, "msg");
        if (data.has("state")) {
            return new Report(taskId, state(KieTaskData.text(data, "state")), urls(data),
                    KieTaskData.text(data, "failCode"), KieTaskData.text(data, "failMsg"), KieTaskData.credits(data),
                    null);
        }
        if (data.has("callbackType")) {
            String type = KieTaskData.text(data, "callbackType");
            String kind = type == null ? "" : type.toLowerCase(Locale.ROOT);
            return switch (kind) {
                case "complete" -> code == 200
                        ? new Report(taskId, KieTaskState.SUCCESS, sunoUrls(data.path("data"), "audio_url"), null,
                        null, null, null)
                        : failed(taskId, code, msg);
                case "error" -> failed(taskId, code, msg);
                case "text", "first" -> new Report(taskId, KieTaskState.GENERATING, List.of(), null, null, null,
                        null);
                default -> throw new Unreadable("unknown callbackType " + Limits.cap(type, 40));
            };
        }
        if (code != 200 && code > 0) {
            // every legacy family reports a failed task as a non-200 code with the task id
            return failed(taskId, code, msg);
        }
        JsonNode info = data.get("info");
        if (info != null && info.isObject()) {
            if (info.has("resultUrls")) {
                return success(taskId, list(info, "resultUrls"));
            }
            if (info.has("result_urls")) {
                return success(taskId, list(info, "result_urls"));
            }
            if (info.has("resultImageUrl")) {
                return success(taskId, single(info, "resultImageUrl"));
            }
        }
        if (data.has("video_url")) {
            return success(taskId, single(data, "video_url"));
        }
        throw new Unreadable("a callback of no known shape");
    }

    private static Report success(String taskId, List<String> urls) {
        return new Report(taskId, KieTaskState.SUCCESS, urls, null, null, null, null);
    }

    private static Report failed(String taskId, int code, String msg) {
        return new Report(taskId, KieTaskState.FAIL, List.of(), code > 0 ? Integer.toString(code) : null,
                Limits.cap(msg, 500), null, null);
    }

    private static String taskId(JsonNode data) throws Unreadable {
        try {
            return KieTaskData.taskId(data);
        } catch (IllegalArgumentException e) {
            throw new Unreadable(e.getMessage());
        }
    }

    private static KieTaskState state(String wire) throws Unreadable {
        try {
            return KieTaskState.fromWire(wire);
        } catch (IllegalArgumentException e) {
            throw new Unreadable(e.getMessage());
        }
    }

    private static KieTaskState successFlag(JsonNode data) throws Unreadable {
        JsonNode flag = data.get("successFlag");
        if (flag == null || !flag.isNumber() && !flag.isString()) {
            throw new Unreadable("no successFlag");
        }
        return switch (flag.asString(flag.toString()).trim()) {
            case "0" -> KieTaskState.GENERATING;
            case "1" -> KieTaskState.SUCCESS;
            case "2", "3" -> KieTaskState.FAIL;
            default -> throw new Unreadable("unknown successFlag " + Limits.cap(flag.toString(), 20));
        };
    }

    private static KieTaskState gpt4oState(JsonNode data) throws Unreadable {
        String status = KieTaskData.text(data, "status");
        if (status == null) {
            return successFlag(data);
        }
        return switch (status.toUpperCase(Locale.ROOT)) {
            case "GENERATING" -> KieTaskState.GENERATING;
            case "SUCCESS" -> KieTaskState.SUCCESS;
            case "CREATE_TASK_FAILED", "GENERATE_FAILED" -> KieTaskState.FAIL;
            default -> throw new Unreadable("unknown 4o Image status " + Limits.cap(status, 40));
        };
    }

    private static KieTaskState sunoState(String status, boolean hasAudio) throws Unreadable {
        if (status == null) {
            throw new Unreadable("no status");
        }
        return switch (status.toUpperCase(Locale.ROOT)) {
            case "PENDING", "TEXT_SUCCESS", "FIRST_SUCCESS" -> KieTaskState.GENERATING;
            case "SUCCESS" -> KieTaskState.SUCCESS;
            // "an error during the callback": the music may be there; only audio makes it a success
            case "CALLBACK_EXCEPTION" -> hasAudio ? KieTaskState.SUCCESS : KieTaskState.FAIL;
            case "CREATE_TASK_FAILED", "GENERATE_AUDIO_FAILED", "SENSITIVE_WORD_ERROR" -> KieTaskState.FAIL;
            default -> throw new Unreadable("unknown Suno status " + Limits.cap(status, 40));
        };
    }

    /** The jobs API's {@code resultJson}. */
    private static List<String> urls(JsonNode data) throws Unreadable {
        try {
            return KieTaskData.resultUrls(data);
        } catch (IllegalArgumentException e) {
            throw new Unreadable(e.getMessage());
        }
    }

    /**
     * A list of URLs; KIE's Veo schema also types it as a string ({@code "[http://a.mp4]"} or a JSON array in a
     * string), so both are read.
     */
    static List<String> list(JsonNode node, String field) throws Unreadable {
        JsonNode v = node == null ? null : node.get(field);
        List<String> out = new ArrayList<>();
        if (v == null || v.isNull()) {
            return out;
        }
        if (v.isString()) {
            String s = v.asString().trim();
            if (s.startsWith("[")) {
                try {
                    JsonNode parsed = MessageCodec.mapper().readTree(s);
                    return list(MessageCodec.mapper().createObjectNode().set(field, parsed), field);
                } catch (JacksonException e) {
                    s = s.substring(1, s.endsWith("]") ? s.length() - 1 : s.length());
                }
            }
            for (String part : s.split(",")) {
                add(out, part.trim());
            }
            return out;
        }
        if (!v.isArray()) {
            throw new Unreadable(field + " is not a list");
        }
        for (JsonNode u : v) {
            if (u.isString()) {
                add(out, u.asString());
            }
        }
        return out;
    }

    private static List<String> single(JsonNode node, String field) throws Unreadable {
        List<String> out = new ArrayList<>();
        String url = node == null ? null : KieTaskData.text(node, field);
        if (url != null) {
            add(out, url);
        }
        return out;
    }

    private static List<String> sunoUrls(JsonNode tracks, String field) throws Unreadable {
        List<String> out = new ArrayList<>();
        if (tracks != null && tracks.isArray()) {
            for (JsonNode t : tracks) {
                String url = KieTaskData.text(t, field);
                if (url != null) {
                    add(out, url);
                }
            }
        }
        return out;
    }

    private static void add(List<String> out, String url) throws Unreadable {
        if (url.isBlank()) {
            return;
        }
        if (url.length() > Limits.URL) {
            throw new Unreadable("a result URL is longer than " + Limits.URL + " characters");
        }
        if (out.size() == Limits.RESULT_URLS) {
            throw new Unreadable("more than " + Limits.RESULT_URLS + " result URLs");
        }
        out.add(url);
    }

    /** The callBackUrl inside a task's original request ({@code param}/{@code paramJson}, a JSON string). */
    private static String callBackUrlIn(String param) {
        if (param == null) {
            return null;
        }
        try {
            JsonNode p = MessageCodec.mapper().readTree(param);
            return p == null || !p.isObject() ? null : KieTaskData.text(p, "callBackUrl");
        } catch (JacksonException e) {
            return null;
        }
    }
}
