package io.kiepipeline.kieworker.client;

import io.kiepipeline.schemas.KieApiFamily;
import io.kiepipeline.schemas.MessageCodec;
import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/** KIE's create and status endpoints of every API family. Never logs the API key. */
public class KieClient {
    private final HttpClient http;
    private final String baseUrl;
    private final String apiKey;
    private final Duration timeout;

    /** How long opening a connection may take; a request is answered or lost within this plus the timeout. */
    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

    public KieClient(String baseUrl, String apiKey, Duration timeout) {
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.apiKey = apiKey;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).build();
    }

    private volatile io.micrometer.core.instrument.MeterRegistry meters;

    /**
     * Times every call into {@code pipeline_kie_requests_seconds{endpoint,family,status,code,transport}}: the
     * endpoint (create_task, record_info, credit), the API family, the HTTP status (0: no answer), the envelope's
     * code, and whether an answer came (answered, not_sent, answer_lost).
     */
    public void bindTo(io.micrometer.core.instrument.MeterRegistry registry) {
        this.meters = registry;
    }

    public Duration requestTimeout() {
        return timeout;
    }

    /** createTask on the jobs API (the MARKET family). */
    public KieResponse createTask(String model, String callBackUrl, Map<String, Object> input) {
        return createTask(KieApiFamily.MARKET, model, callBackUrl, input);
    }

    /**
     * Creates a task on the family's own endpoint, in its own request shape (kie-api.md §2.1, §6.2): the jobs API
     * takes {@code {model, callBackUrl, input}}; the older families take the input's fields flat, with
     * {@code callBackUrl} and, where they have one, {@code model} beside them.
     */
    public KieResponse createTask(KieApiFamily family, String kieModel, String callBackUrl, Map<String, Object> input) {
        return createTask(apiKey, family, kieModel, callBackUrl, input);
    }

    /** createTask with one of several KIE keys (each key is its own account). */
    public KieResponse createTask(String key, KieApiFamily family, String kieModel, String callBackUrl,
                                  Map<String, Object> input) {
        Map<String, Object> body = new LinkedHashMap<>();
        switch (family) {
            case MARKET -> {
                body.put("model", kieModel);
                if (callBackUrl != null) {
                    body.put("callBackUrl", callBackUrl);
                }
                body.put("input", input);
            }
            case VEO, RUNWAY, GPT4O_IMAGE, FLUX_KONTEXT, SUNO -> {
                body.putAll(input);
                // Runway and 4o Image have no model field: KIE would refuse one it does not know
                if (kieModel != null && family != KieApiFamily.RUNWAY && family != KieApiFamily.GPT4O_IMAGE) {
                    body.put("model", kieModel);
                }
                if (callBackUrl != null) {
                    body.put("callBackUrl", callBackUrl);
                }
            }
        }
        HttpRequest request = request(createPath(family), key)
                .POST(HttpRequest.BodyPublishers.ofString(MessageCodec.mapper().writeValueAsString(body)))
                .build();
        return send(request, "create_task", family);
    }

    public KieResponse recordInfo(String taskId) {
        return recordInfo(KieApiFamily.MARKET, taskId);
    }

    /** A task's state from the family's status endpoint. */
    public KieResponse recordInfo(KieApiFamily family, String taskId) {
        return recordInfo(apiKey, family, taskId);
    }

    /** A task's state, asked with the key that created it. */
    public KieResponse recordInfo(String key, KieApiFamily family, String taskId) {
        String query = "?taskId=" + URLEncoder.encode(taskId, StandardCharsets.UTF_8);
        return send(request(statusPath(family) + query, key).GET().build(), "record_info", family);
    }

    /** The key's remaining credits: {@code GET /api/v1/chat/credit} → {@code {"code":200,"data":100}}. */
    public KieResponse credit(String key) {
        return send(request("/api/v1/chat/credit", key).GET().build(), "credit", null);
    }

    /** Each family's create endpoint (kie-api.md §3). */
    public static String createPath(KieApiFamily family) {
        return switch (family) {
            case MARKET -> "/api/v1/jobs/createTask";
            case VEO -> "/api/v1/veo/generate";
            case RUNWAY -> "/api/v1/runway/generate";
            case GPT4O_IMAGE -> "/api/v1/gpt4o-image/generate";
            case FLUX_KONTEXT -> "/api/v1/flux/kontext/generate";
            case SUNO -> "/api/v1/generate";
        };
    }

    /** Each family's status endpoint; every one takes {@code ?taskId=}. */
    public static String statusPath(KieApiFamily family) {
        return switch (family) {
            case MARKET -> "/api/v1/jobs/recordInfo";
            case VEO -> "/api/v1/veo/record-info";
            case RUNWAY -> "/api/v1/runway/record-detail";
            case GPT4O_IMAGE -> "/api/v1/gpt4o-image/record-info";
            case FLUX_KONTEXT -> "/api/v1/flux/kontext/record-info";
            case SUNO -> "/api/v1/generate/record-info";
        };
    }

    /**
     * True when the exchange failed before any byte of the request left: the connection was refused, timed out while
     * opening, or the host did not resolve. Every other I/O error (a read timeout, a reset while waiting) may have
     * come after KIE took the request.
     */
    static boolean neverSent(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof HttpConnectTimeoutException || t instanceof ConnectException
                    || t instanceof UnknownHostException || t instanceof UnresolvedAddressException) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    private HttpRequest.Builder request(String path, String key) {
        return HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(timeout)
                .header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                // KIE sits behind a CDN that refuses clients without a User-Agent
                .header("User-Agent", "kie-pipeline/0.1 (+https://github.com/kie-pipeline)");
    }

    private KieResponse send(HttpRequest request, String endpoint, KieApiFamily family) {
        long started = System.nanoTime();
        KieResponse response = send(request);
        io.micrometer.core.instrument.MeterRegistry registry = meters;
        if (registry != null) {
            io.micrometer.core.instrument.Timer.builder("pipeline.kie.requests")
                    .description("calls to KIE's API by endpoint and answer").tag("endpoint", endpoint)
                    .tag("family", family == null ? "none" : family.name().toLowerCase(java.util.Locale.ROOT))
                    .tag("status", Integer.toString(response.httpStatus()))
                    // what KIE puts in its envelope is not ours to bound: a code outside HTTP's range is "other"
                    .tag("code", response.code() >= 100 && response.code() <= 599 ? Integer.toString(response.code())
                            : response.code() == 0 ? "0" : "other")
                    .tag("transport", response.transport().name().toLowerCase(java.util.Locale.ROOT))
                    .register(registry).record(System.nanoTime() - started, java.util.concurrent.TimeUnit.NANOSECONDS);
        }
        return response;
    }

    private KieResponse send(HttpRequest request) {
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            String msg = "network error: " + e.getClass().getSimpleName() + " " + e.getMessage();
            return neverSent(e) ? KieResponse.notSent(msg) : KieResponse.answerLost(msg);
        } catch (InterruptedException e) {
            // the request may be on its way: only the caller's lease (it expires into UNCERTAIN) can tell
            Thread.currentThread().interrupt();
            return KieResponse.answerLost("interrupted while waiting for KIE");
        }
        int status = response.statusCode();
        JsonNode root;
        try {
            root = MessageCodec.mapper().readTree(response.body());
        } catch (JacksonException e) {
            root = null;
        }
        if (root == null || !root.isObject() || !root.has("code")) {
            String text = response.body() == null ? "" : response.body();
            return new KieResponse(status, status, "no KIE envelope: " + text.substring(0, Math.min(200,
                    text.length())), null);
        }
        JsonNode data = root.get("data");
        return new KieResponse(status, root.get("code").asInt(), root.path("msg").asString(""),
                data == null || data.isNull() ? null : data);
    }
}
