package io.kiepipeline.emulators;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/**
 * An emulator of the KIE Market jobs API, following {@code shared/reference/kie-api.md}: HTTP 200 with the outcome
 * in the envelope's {@code code}; {@code createTask}, {@code recordInfo} (404 "Task not found" for unknown ids, 422
 * "recordInfo is null" for a task too new, when asked to),
 * {@code chat/credit}; callbacks with the real §4.1 bodies after a delay, retried like KIE does when the receiver
 * does not answer 200; result URLs that point at real small media files it serves itself.
 *
 * <p>Failure injection is per test, by rules matched on a substring of the prompt (so that tests sharing one
 * emulator do not disturb each other): scripted createTask answers (429, 5xx, a 4xx code in a 200 envelope), a task
 * that fails, a duplicate callback, a callback sent before createTask answers, no callback at all, a delay, and a
 * createTask that makes the task but whose answer is lost (held back past the client's timeout, or HTTP 500).
 * Callbacks are signed like KIE's when a webhook HMAC key is set ({@link #signCallbacksWith}).
 *
 * <p>Whole-service trouble, for chaos tests: the account's createTask rate window ({@link #limitCreateTask}, 429
 * past it), an outage (503 from every API endpoint, {@link #unavailableFor}) and a host that cannot be reached at
 * all (the listening socket closed for a while, {@link #unreachableFor}).
 */
public final class KieEmulator implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(KieEmulator.class);

    /** A scripted answer to one createTask call. */
    public record Answer(int httpStatus, int code, String msg) {
        public static Answer httpError(int status) {
            return new Answer(status, status, status == 429 ? "Rate limit exceeded" : "Server Error");
        }

        public static Answer envelope(int code, String msg) {
            return new Answer(200, code, msg);
        }
    }

    /**
     * What happens to tasks whose prompt contains {@code promptContains}.
     *
     * @param createTask           answers for the first createTask calls, in order; then the call succeeds
     * @param fail                 whether the task ends in state fail
     * @param failCode             the failCode of a failed task
     * @param failMsg              the failMsg of a failed task
     * @param delayMs              how long the task runs (null: the emulator default)
     * @param duplicateCallback    send the callback twice
     * @param callbackBeforeAccept send the callback before answering createTask
     * @param noCallback           never call back (the pipeline must poll)
     * @param resultUrls           override the result URLs (an empty list: success without a result)
     * @param afterCreate          what createTask answers once it has created the task (the answer a client may lose)
     * @param lateAnswerMs         with {@link AfterCreate#ANSWER_LATE}: how long the answer is held back
     */
    public record Rule(String promptContains, List<Answer> createTask, boolean fail, String failCode, String failMsg,
                       Long delayMs, boolean duplicateCallback, boolean callbackBeforeAccept, boolean noCallback,
                       List<String> resultUrls, AfterCreate afterCreate, long lateAnswerMs) {
        public Rule(String promptContains, List<Answer> createTask, boolean fail, String failCode, String failMsg,
                    Long delayMs, boolean duplicateCallback, boolean callbackBeforeAccept, boolean noCallback,
                    List<String> resultUrls) {
            this(promptContains, createTask, fail, failCode, failMsg, delayMs, duplicateCallback,
                    callbackBeforeAccept, noCallback, resultUrls, AfterCreate.ANSWER, 0);
        }

        public static Rule forPrompt(String promptContains) {
            return new Rule(promptContains, List.of(), false, null, null, null, false, false, false, null);
        }

        /**
         * Creates the task (it runs and calls back as usual), then holds the answer back for {@code ms}: longer than
         * the client's timeout, the client never learns the task id.
         */
        public Rule creatingThenAnsweringAfter(long ms) {
            return new Rule(promptContains, createTask, fail, failCode, failMsg, delayMs, duplicateCallback,
                    callbackBeforeAccept, noCallback, resultUrls, AfterCreate.ANSWER_LATE, ms);
        }

        /** Creates the task (it runs and calls back as usual), then answers HTTP 500 as if it had not. */
        public Rule creatingThenAnsweringServerError() {
            return new Rule(promptContains, createTask, fail, failCode, failMsg, delayMs, duplicateCallback,
                    callbackBeforeAccept, noCallback, resultUrls, AfterCreate.SERVER_ERROR, 0);
        }

        public Rule answering(Answer... answers) {
            return new Rule(promptContains, List.of(answers), fail, failCode, failMsg, delayMs, duplicateCallback,
                    callbackBeforeAccept, noCallback, resultUrls, afterCreate, lateAnswerMs);
        }

        public Rule failing(String code, String msg) {
            return new Rule(promptContains, createTask, true, code, msg, delayMs, duplicateCallback,
                    callbackBeforeAccept, noCallback, resultUrls, afterCreate, lateAnswerMs);
        }

        public Rule taking(long ms) {
            return new Rule(promptContains, createTask, fail, failCode, failMsg, ms, duplicateCallback,
                    callbackBeforeAccept, noCallback, resultUrls, afterCreate, lateAnswerMs);
        }

        public Rule withDuplicateCallback() {
            return new Rule(promptContains, createTask, fail, failCode, failMsg, delayMs, true,
                    callbackBeforeAccept, noCallback, resultUrls, afterCreate, lateAnswerMs);
        }

        public Rule withCallbackBeforeAccept() {
            return new Rule(promptContains, createTask, fail, failCode, failMsg, delayMs, duplicateCallback, true,
                    noCallback, resultUrls, afterCreate, lateAnswerMs);
        }

        public Rule withoutCallback() {
            return new Rule(promptContains, createTask, fail, failCode, failMsg, delayMs, duplicateCallback,
                    callbackBeforeAccept, true, resultUrls, afterCreate, lateAnswerMs);
        }
    }

    /** What createTask answers after it created a task. */
    public enum AfterCreate {
        /** the task id, at once (KIE's normal answer) */
        ANSWER,
        /** the task id, but only after {@code lateAnswerMs}: a client with a shorter timeout loses it */
        ANSWER_LATE,
        /** HTTP 500 with an error envelope, though the task exists and will run */
        SERVER_ERROR
    }

    /**
     * KIE's API families (kie-api.md §2, §3, §4.2; the emulator's own copy of the contract): each with its create and
     * status endpoints, request shape, status field and callback body.
     */
    public enum Family {
        MARKET("/api/v1/jobs/createTask", "/api/v1/jobs/recordInfo"),
        VEO("/api/v1/veo/generate", "/api/v1/veo/record-info"),
        RUNWAY("/api/v1/runway/generate", "/api/v1/runway/record-detail"),
        GPT4O_IMAGE("/api/v1/gpt4o-image/generate", "/api/v1/gpt4o-image/record-info"),
        FLUX_KONTEXT("/api/v1/flux/kontext/generate", "/api/v1/flux/kontext/record-info"),
        SUNO("/api/v1/generate", "/api/v1/generate/record-info");

        final String createPath;
        final String statusPath;

        Family(String createPath, String statusPath) {
            this.createPath = createPath;
            this.statusPath = statusPath;
        }
    }

    /**
     * The {@code model} values the older families accept (kie-api.md §6.2); Runway and 4o Image have no model field
     * (the emulator names their tasks after the family).
     */
    static final Map<Family, List<String>> FAMILY_MODELS = Map.of(
            Family.VEO, List.of("veo3", "veo3_fast", "veo3_lite"),
            Family.FLUX_KONTEXT, List.of("flux-kontext-pro", "flux-kontext-max"),
            Family.SUNO, List.of("V4", "V4_5", "V4_5PLUS", "V4_5ALL", "V5", "V5_5"),
            Family.RUNWAY, List.of("runway"),
            Family.GPT4O_IMAGE, List.of("gpt4o_image"));

    /** KIE's input rules per model and family, transcribed apart from the catalog ({@link KieInputRules}). */
    static final KieInputRules INPUT_RULES = KieInputRules.load();

    /** A task as the emulator keeps it. */
    public record Task(String taskId, String model, JsonNode input, String callBackUrl, long createTime,
                       long completeTime, boolean fail, String failCode, String failMsg, List<String> resultUrls,
                       Family family) {
        public Task(String taskId, String model, JsonNode input, String callBackUrl, long createTime,
                    long completeTime, boolean fail, String failCode, String failMsg, List<String> resultUrls) {
            this(taskId, model, input, callBackUrl, createTime, completeTime, fail, failCode, failMsg, resultUrls,
                    Family.MARKET);
        }
    }

    /** An input file KIE downloaded for a task (only addresses on this machine are fetched here). */
    public record InputFetch(String url, int status, String contentType, int bytes) {
    }

    /** A createTask call as received. */
    public record Call(long at, String model, String prompt, int httpStatus, int code) {
    }

    private final Http.Rebindable server;
    private final String apiKey;
    /** Every key the emulated account system knows, each its own account: credits and a rate window. */
    private final Map<String, AtomicLong> creditsByKey = new ConcurrentHashMap<>();
    /** What one task costs, in credits (KIE bills per model; the emulator, one figure). */
    private volatile long creditsPerTask = 10;
    private final long defaultDelayMs;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2, Thread.ofPlatform()
            .name("kie-emulator-", 0).daemon().factory());
    /**
     * KIE sends callbacks from many machines at once: each callback is its own (virtual) thread here, so that a slow
     * receiver, or two scheduler threads, never set how many results a second reach it (the benchmark's limit was
     * 2 callbacks in flight).
     */
    private final java.util.concurrent.ExecutorService callbackSenders =
            Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("kie-emulator-callback-", 0).factory());
    private final List<Rule> rules = new CopyOnWriteArrayList<>();
    private final Map<Rule, AtomicInteger> answered = new ConcurrentHashMap<>();
    private final Map<String, Task> tasks = new ConcurrentHashMap<>();
    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private final AtomicLong taskCounter = new AtomicLong();
    private final Map<String, AtomicInteger> callbacksAccepted = new ConcurrentHashMap<>();
    /** KIE waits 1, 5 and 15 minutes between callback retries; the emulator waits seconds. */
    private static final long CALLBACK_RETRY_DELAY_MS = 1000;

    private volatile long createTaskLatencyMs;
    private volatile long recordVisibleAfterMs;
    private final AtomicInteger recordNotYet = new AtomicInteger();
    /** KIE's webhookHmacKey: when set, callbacks carry X-Webhook-Timestamp and X-Webhook-Signature (§4.3). */
    private volatile String webhookHmacKey;
    /** Credits of a key the emulator is given: enough for any test or benchmark run. */
    public static final long DEFAULT_CREDITS = 1_000_000_000L;

    /** Guards the rate window: the admission decision and the creation timestamps. */
    private final Object admission = new Object();
    /** Monotonic milliseconds of every task created, in order, per key. Guarded by {@link #admission}. */
    private final Map<String, List<Long>> createdAtMs = new java.util.HashMap<>();
    /** The creation times inside the current window, per key (KIE's limit is per account). Guarded by admission. */
    private final Map<String, Deque<Long>> inWindow = new java.util.HashMap<>();
    private int maxTasks;
    private long windowMs;
    private int refusedByRateLimit;
    private volatile long unavailableUntilMs;

    private KieEmulator(int port, String apiKey, long defaultDelayMs) throws IOException {
        this.apiKey = apiKey;
        creditsByKey.put(apiKey, new AtomicLong(DEFAULT_CREDITS));
        this.defaultDelayMs = defaultDelayMs;
        this.server = new Http.Rebindable("kie-emulator", port, s -> {
            for (Family f : Family.values()) {
                s.createContext(f.createPath, ex -> createTask(ex, f));
                s.createContext(f.statusPath, ex -> recordInfo(ex, f));
            }
            s.createContext("/api/v1/chat/credit", this::credit);
            s.createContext("/files/", this::file);
            s.createContext("/control/", this::control);
        });
    }

    /** Starts on a port (0: any free port). */
    public static KieEmulator start(int port, String apiKey, long defaultDelayMs) throws IOException {
        return new KieEmulator(port, apiKey, defaultDelayMs);
    }

    /** The emulator's address; the same while it is unreachable and after it comes back. */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.port();
    }

    /**
     * Like the KIE account limit (20 new tasks per 10 seconds): a createTask that would make more than
     * {@code maxTasks} tasks within any sliding {@code window} answers HTTP 429 {@code Rate limit exceeded} and
     * creates nothing. 0 or a null window: no limit (the default). Counts from now on start afresh.
     */
    public void limitCreateTask(int maxTasks, Duration window) {
        synchronized (admission) {
            boolean on = maxTasks > 0 && window != null && window.toMillis() > 0;
            this.maxTasks = on ? maxTasks : 0;
            this.windowMs = on ? window.toMillis() : 0;
            inWindow.clear();
            createdAtMs.clear();
        }
    }

    /** How many createTask calls the rate window refused with 429. */
    public int refusedByRateLimit() {
        synchronized (admission) {
            return refusedByRateLimit;
        }
    }

    /**
     * The largest number of tasks created within any interval as long as the rate window so far, from every
     * creation time (what a client that respects the limit keeps at or under maxTasks); 0 while no window is set.
     */
    public int maxInAnyWindow() {
        synchronized (admission) {
            return createdAtMs.keySet().stream().mapToInt(this::maxInAnyWindowOf).max().orElse(0);
        }
    }

    /** {@link #maxInAnyWindow()} of one key's tasks. */
    public int maxInAnyWindow(String key) {
        synchronized (admission) {
            return maxInAnyWindowOf(key);
        }
    }

    private int maxInAnyWindowOf(String key) {
        List<Long> created = createdAtMs.getOrDefault(key, List.of());
        if (windowMs <= 0) {
            return 0;
        }
        int max = 0;
        int first = 0;
        for (int last = 0; last < created.size(); last++) {
            while (created.get(first) <= created.get(last) - windowMs) {
                first++;
            }
            max = Math.max(max, last - first + 1);
        }
        return max;
    }

    /** Another KIE account: a key with its own credits and rate window. */
    public void addKey(String key, long credits) {
        creditsByKey.put(key, new AtomicLong(credits));
    }

    /** Sets a key's credits (0: the next createTask answers 402 Insufficient Credits); a top-up at KIE. */
    public void setCredits(String key, long credits) {
        AtomicLong c = creditsByKey.get(key);
        if (c == null) {
            throw new IllegalArgumentException("the emulator does not know that key");
        }
        c.set(credits);
    }

    public long credits(String key) {
        AtomicLong c = creditsByKey.get(key);
        return c == null ? 0 : c.get();
    }

    /** Tasks created with a key. */
    public int tasksCreatedWith(String key) {
        synchronized (admission) {
            return createdAtMs.getOrDefault(key, List.of()).size();
        }
    }

    public void chargePerTask(long credits) {
        this.creditsPerTask = credits;
    }

    /**
     * KIE is down for a while: createTask, recordInfo and chat/credit answer HTTP 503 {@code Service Unavailable}
     * and create nothing. A second call replaces the first.
     */
    public void unavailableFor(Duration outage) {
        unavailableUntilMs = System.currentTimeMillis() + outage.toMillis();
    }

    /** KIE is back. */
    public void available() {
        unavailableUntilMs = 0;
    }

    /**
     * KIE's host cannot be reached for a while: the listening socket is closed (connections refused, open ones
     * dropped), then bound again on the same port with every task and rule kept. Callbacks still go out meanwhile.
     */
    public void unreachableFor(Duration outage) {
        server.unreachableFor(outage);
    }

    public void addRule(Rule rule) {
        rules.add(0, rule);
    }

    /**
     * Signs every callback from now on like KIE does with a webhookHmacKey set (kie-api.md §4.3):
     * {@code X-Webhook-Signature = base64(HMAC-SHA256(taskId + "." + timestamp, key))}; null or blank: unsigned.
     */
    public void signCallbacksWith(String key) {
        this.webhookHmacKey = key == null || key.isBlank() ? null : key;
    }

    /** The signature KIE sends for a task's callback at a timestamp (Unix seconds). */
    public static String webhookSignature(String key, String taskId, String timestamp) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return Base64.getEncoder().encodeToString(
                    mac.doFinal((taskId + "." + timestamp).getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }


    /** createTask calls whose prompt contains the text (including refused ones). */
    public List<Call> callsFor(String promptContains) {
        return calls.stream().filter(c -> c.prompt() != null && c.prompt().contains(promptContains)).toList();
    }

    public List<Task> tasksFor(String promptContains) {
        return tasks.values().stream().filter(t -> t.input().path("prompt").asString("").contains(promptContains))
                .toList();
    }


    /** How many callbacks for the task the receiver answered with HTTP 200. */
    public int callbacksAccepted(String taskId) {
        AtomicInteger n = callbacksAccepted.get(taskId);
        return n == null ? 0 : n.get();
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        callbackSenders.shutdownNow();
        server.close();
    }

    /** Answers 503 while KIE is unavailable; true when it did. */
    private boolean unavailable(HttpExchange ex) throws IOException {
        if (System.currentTimeMillis() < unavailableUntilMs) {
            Http.json(ex, 503, Map.of("code", 503, "msg", "Service Unavailable"));
            return true;
        }
        return false;
    }

    /** The rate window's admission decision for one new task of a key; records its creation time when admitted. */
    private boolean admitted(String key) {
        synchronized (admission) {
            long now = System.nanoTime() / 1_000_000;
            if (maxTasks > 0) {
                Deque<Long> window = inWindow.computeIfAbsent(key, k -> new ArrayDeque<>());
                while (!window.isEmpty() && window.peekFirst() <= now - windowMs) {
                    window.pollFirst();
                }
                if (window.size() >= maxTasks) {
                    refusedByRateLimit++;
                    return false;
                }
                window.addLast(now);
            }
            createdAtMs.computeIfAbsent(key, k -> new ArrayList<>()).add(now);
            return true;
        }
    }

    private Map<String, Object> rate() {
        synchronized (admission) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("maxTasks", maxTasks);
            r.put("windowMs", windowMs);
            r.put("refused", refusedByRateLimit);
            r.put("maxInAnyWindow", maxInAnyWindow());
            return r;
        }
    }

    /** The caller's key when KIE knows it; otherwise answers 401 as KIE does (HTTP 200, code 401) and null. */
    private String authorized(HttpExchange ex) throws IOException {
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        String key = auth != null && auth.startsWith("Bearer ") ? auth.substring("Bearer ".length()) : null;
        if (key == null || !creditsByKey.containsKey(key)) {
            Http.json(ex, 200, Map.of("code", 401, "msg", "You do not have access permissions"));
            return null;
        }
        return key;
    }

    /**
     * For this long after a task is created, its recordInfo answers {@code 422 recordInfo is null}, as third-party
     * clients saw KIE do right after creation (kie-api.md §2); zero by default.
     */
    public void recordsVisibleAfter(Duration delay) {
        this.recordVisibleAfterMs = delay.toMillis();
    }

    /** How many recordInfo calls were answered {@code 422 recordInfo is null} because the task was too new. */
    public int recordInfoNotYetAnswers() {
        return recordNotYet.get();
    }

    /** KIE no longer keeps this task (or never did): its recordInfo answers 404 {@code Task not found}. */
    public void forget(String taskId) {
        tasks.remove(taskId);
    }

    /** How long every createTask takes to answer (benchmarks where KIE's own time dominates); zero by default. */
    public void answerCreateTaskAfter(Duration latency) {
        this.createTaskLatencyMs = latency.toMillis();
    }

    private void createTask(HttpExchange ex, Family family) throws IOException {
        if (!ex.getRequestURI().getPath().equals(family.createPath)) {
            // a longer path under this context (/api/v1/generate/record-info is its own context)
            Http.json(ex, 200, Map.of("code", 404, "msg", "Not Found"));
            return;
        }
        if (createTaskLatencyMs > 0) {
            // on this request's own virtual thread, like a slow server
            try {
                Thread.sleep(createTaskLatencyMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (!"POST".equals(ex.getRequestMethod())) {
            Http.json(ex, 200, Map.of("code", 404, "msg", "Not Found"));
            return;
        }
        if (System.currentTimeMillis() < unavailableUntilMs) {
            refuseUnavailable(ex);
            return;
        }
        String key = authorized(ex);
        if (key == null) {
            return;
        }
        JsonNode body;
        try {
            body = Http.jsonBody(ex);
        } catch (RuntimeException e) {
            Http.json(ex, 200, Map.of("code", 400, "msg", "Bad request: body is not JSON"));
            return;
        }
        String model;
        JsonNode input;
        if (family == Family.MARKET) {
            model = body.path("model").asString("");
            input = body.get("input");
        } else {
            // the older families take their fields flat, beside callBackUrl (and model, where they have one)
            model = body.path("model").asString(family.name().toLowerCase(java.util.Locale.ROOT));
            tools.jackson.databind.node.ObjectNode flat = body.isObject()
                    ? ((tools.jackson.databind.node.ObjectNode) body).deepCopy() : Http.JSON.createObjectNode();
            flat.remove("callBackUrl");
            flat.remove("model");
            input = flat;
        }
        String prompt = input == null ? null : input.path("prompt").asString(null);
        Rule rule = ruleFor(prompt);
        if (rule != null) {
            int n = answered.computeIfAbsent(rule, r -> new AtomicInteger()).getAndIncrement();
            if (n < rule.createTask().size()) {
                Answer a = rule.createTask().get(n);
                calls.add(new Call(System.currentTimeMillis(), model, prompt, a.httpStatus(), a.code()));
                if (a.httpStatus() != 200) {
                    Http.json(ex, a.httpStatus(), Map.of("code", a.code(), "msg", a.msg()));
                } else {
                    noData(ex, a.code(), a.msg());
                }
                return;
            }
        }
        if (family == Family.SUNO && body.path("callBackUrl").asString("").isBlank()) {
            calls.add(new Call(System.currentTimeMillis(), model, prompt, 200, 422));
            Http.json(ex, 200, Map.of("code", 422, "msg", "callBackUrl is required"));
            return;
        }
        if (model.isBlank() || input == null || !input.isObject()) {
            calls.add(new Call(System.currentTimeMillis(), model, prompt, 200, 422));
            Http.json(ex, 200, Map.of("code", 422, "msg", model.isBlank() ? "model is required"
                    : "input is required"));
            return;
        }
        if (family != Family.MARKET && !FAMILY_MODELS.getOrDefault(family, List.of(model)).contains(model)) {
            calls.add(new Call(System.currentTimeMillis(), model, prompt, 200, 422));
            Http.json(ex, 200, Map.of("code", 422, "msg", "The page does not exist or is not published"));
            return;
        }
        // KIE checks the input against the model's own rules (the emulator's copy, not the catalog's)
        java.util.Optional<String> invalid = family == Family.MARKET ? INPUT_RULES.problem(model, input)
                : INPUT_RULES.problem(family.name(), withoutCallback(body));
        if (invalid.isPresent()) {
            calls.add(new Call(System.currentTimeMillis(), model, prompt, 200, 422));
            Http.json(ex, 200, Map.of("code", 422, "msg", invalid.get()));
            return;
        }
        AtomicLong credits = creditsByKey.get(key);
        if (credits.get() < creditsPerTask) {
            calls.add(new Call(System.currentTimeMillis(), model, prompt, 200, 402));
            Http.json(ex, 200, Map.of("code", 402, "msg", "Insufficient Credits"));
            return;
        }
        if (!admitted(key)) {
            calls.add(new Call(System.currentTimeMillis(), model, prompt, 429, 429));
            Http.json(ex, 429, Map.of("code", 429, "msg", "Rate limit exceeded"));
            return;
        }
        credits.addAndGet(-creditsPerTask);
        String callBackUrl = body.path("callBackUrl").asString(null);
        long now = System.currentTimeMillis();
        long delay = rule != null && rule.delayMs() != null ? rule.delayMs() : defaultDelayMs;
        String taskId = "task_emu_" + taskCounter.incrementAndGet() + "_" + now;
        List<String> urls = rule != null && rule.resultUrls() != null ? rule.resultUrls()
                : family == Family.SUNO ? List.of(baseUrl() + "/files/result.mp3", baseUrl() + "/files/result.mp3")
                : List.of(baseUrl() + "/files/" + fileFor(family == Family.MARKET ? model : family.name()));
        // KIE downloads the input files; one it cannot get fails the task (4o Image says 451)
        boolean unreachableInput = !fetchInputs(input);
        boolean fail = unreachableInput || (rule != null && rule.fail());
        Task task = new Task(taskId, model, input, callBackUrl, now, now + delay, fail,
                unreachableInput ? "451" : fail ? (rule.failCode() == null ? "500" : rule.failCode()) : null,
                unreachableInput ? "Failed to download input image" : fail
                        ? (rule.failMsg() == null ? "Internal server error" : rule.failMsg()) : null, urls, family);
        tasks.put(taskId, task);
        AfterCreate after = rule == null ? AfterCreate.ANSWER : rule.afterCreate();
        int answeredStatus = after == AfterCreate.SERVER_ERROR ? 500 : 200;
        calls.add(new Call(System.currentTimeMillis(), model, prompt, answeredStatus, answeredStatus));
        boolean callback = callBackUrl != null && (rule == null || !rule.noCallback());
        if (callback && family == Family.SUNO && !task.fail()) {
            // Suno calls back as the music progresses: text, then first, then complete (kie-api.md §4.2)
            scheduler.schedule(() -> deliverCallback(task, 1, "text"), delay / 3, TimeUnit.MILLISECONDS);
            scheduler.schedule(() -> deliverCallback(task, 1, "first"), 2 * delay / 3, TimeUnit.MILLISECONDS);
        }
        if (callback && rule != null && rule.callbackBeforeAccept()) {
            sendCallback(task, 1, null); // on this thread: it has arrived before createTask answers
        } else if (callback) {
            scheduler.schedule(() -> deliverCallback(task, 1), delay, TimeUnit.MILLISECONDS);
        }
        if (callback && rule != null && rule.duplicateCallback()) {
            scheduler.schedule(() -> deliverCallback(task, 1), delay + 150, TimeUnit.MILLISECONDS);
        }
        switch (after) {
            case ANSWER -> Http.json(ex, 200, Map.of("code", 200, "msg", "success", "data", Map.of("taskId", taskId)));
            case SERVER_ERROR -> Http.json(ex, 500, Map.of("code", 500, "msg", "Server Error"));
            case ANSWER_LATE -> answerLate(ex, taskId, rule.lateAnswerMs());
        }
    }

    private final List<InputFetch> inputFetches = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final java.net.http.HttpClient fetcher = java.net.http.HttpClient.newBuilder()
            .connectTimeout(java.time.Duration.ofSeconds(3)).build();

    /** Every input file the emulator downloaded, as KIE does before it runs a task. */
    public List<InputFetch> inputFetches() {
        return List.copyOf(inputFetches);
    }

    /**
     * Downloads the input's files the way KIE does before running a task: false when one cannot be had (not 200, or
     * not an image, video or audio). Only addresses on this machine are fetched: this sandbox reaches nothing else, and
     * the examples' public addresses are taken as reachable.
     */
    private boolean fetchInputs(JsonNode input) {
        List<String> urls = new ArrayList<>();
        collectLocalUrls(input, urls);
        boolean all = true;
        for (String url : urls) {
            int status;
            String type = "";
            int size = 0;
            try {
                java.net.http.HttpResponse<java.io.InputStream> r = fetcher.send(java.net.http.HttpRequest
                        .newBuilder(java.net.URI.create(url)).timeout(java.time.Duration.ofSeconds(10)).GET().build(),
                        java.net.http.HttpResponse.BodyHandlers.ofInputStream());
                status = r.statusCode();
                type = r.headers().firstValue("Content-Type").orElse("");
                try (java.io.InputStream in = r.body()) {
                    // KIE's own limit on an input file is tens of MB: no more is read
                    size = in.readNBytes(50 * 1024 * 1024).length;
                }
            } catch (IOException | IllegalArgumentException e) {
                status = -1;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                status = -1;
            }
            inputFetches.add(new InputFetch(url, status, type, size));
            all &= status == 200 && size > 0 && (type.startsWith("image/") || type.startsWith("video/")
                    || type.startsWith("audio/"));
        }
        return all;
    }

    private static void collectLocalUrls(JsonNode node, List<String> urls) {
        if (node == null) {
            return;
        }
        if (node.isString()) {
            String v = node.asString();
            if (v.startsWith("http://127.0.0.1:") || v.startsWith("http://localhost:")) {
                urls.add(v);
            }
        } else if (node.isArray() || node.isObject()) {
            for (JsonNode child : node) {
                collectLocalUrls(child, urls);
            }
        }
    }

    private static tools.jackson.databind.node.ObjectNode withoutCallback(JsonNode body) {
        if (!body.isObject()) {
            return null;
        }
        tools.jackson.databind.node.ObjectNode flat = ((tools.jackson.databind.node.ObjectNode) body).deepCopy();
        flat.remove("callBackUrl");
        return flat;
    }

    /** The 503 of an outage, recorded in {@code calls} with the prompt when the body has one. */
    private void refuseUnavailable(HttpExchange ex) throws IOException {
        String model = null;
        String prompt = null;
        try {
            JsonNode body = Http.jsonBody(ex);
            model = body.path("model").asString(null);
            prompt = body.path("input").path("prompt").asString(null);
        } catch (RuntimeException e) {
            // not JSON: still a call, still refused
        }
        calls.add(new Call(System.currentTimeMillis(), model, prompt, 503, 503));
        unavailable(ex);
    }

    /** Holds the answer back (on this request's own virtual thread); the client has usually given up by then. */
    private static void answerLate(HttpExchange ex, String taskId, long ms) {
        try {
            Thread.sleep(ms);
            Http.json(ex, 200, Map.of("code", 200, "msg", "success", "data", Map.of("taskId", taskId)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            log.info("kie-emulator: the late answer for {} found the client gone: {}", taskId, e.getMessage());
        } finally {
            ex.close();
        }
    }

    private void recordInfo(HttpExchange ex, Family family) throws IOException {
        if (unavailable(ex) || authorized(ex) == null) {
            return;
        }
        String taskId = Http.query(ex).get("taskId");
        if (taskId == null || taskId.isBlank()) {
            Http.json(ex, 200, Map.of("code", 400, "msg", "taskId parameter is required"));
            return;
        }
        Task task = tasks.get(taskId);
        if (task != null && task.family() != family) {
            task = null;
        }
        long now = System.currentTimeMillis();
        if (task == null) {
            // a task KIE never made, or no longer keeps: KIE's documented "Task not found"
            noData(ex, 404, "Task not found");
            return;
        }
        if (now - task.createTime() < recordVisibleAfterMs) {
            // right after creation KIE may not have the record yet: "not yet", not "no such task"
            recordNotYet.incrementAndGet();
            noData(ex, 422, "recordInfo is null");
            return;
        }
        Http.json(ex, 200, Map.of("code", 200, "msg", "success", "data", family == Family.MARKET ? data(task, now)
                : familyData(task, now)));
    }

    /** KIE's envelope for an answer without data: HTTP 200, the outcome in {@code code}, {@code data: null}. */
    private static void noData(HttpExchange ex, int code, String msg) throws IOException {
        Map<String, Object> env = new LinkedHashMap<>();
        env.put("code", code);
        env.put("msg", msg);
        env.put("data", null);
        Http.json(ex, 200, env);
    }

    /** The status of a task of an older family, in that family's own shape (kie-api.md §3). */
    private Map<String, Object> familyData(Task task, long now) {
        boolean done = now >= task.completeTime();
        boolean ok = done && !task.fail();
        boolean failed = done && task.fail();
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("taskId", task.taskId());
        String param = Http.JSON.writeValueAsString(withCallback(task));
        switch (task.family()) {
            case VEO, FLUX_KONTEXT, GPT4O_IMAGE -> {
                d.put("paramJson", param);
                d.put("successFlag", ok ? 1 : failed ? (task.family() == Family.GPT4O_IMAGE ? 2 : 3) : 0);
                Map<String, Object> response = new LinkedHashMap<>();
                if (ok && task.family() == Family.VEO) {
                    response.put("taskId", task.taskId());
                    response.put("resultUrls", task.resultUrls());
                    response.put("resolution", "720p");
                } else if (ok && task.family() == Family.FLUX_KONTEXT) {
                    response.put("resultImageUrl", task.resultUrls().getFirst());
                } else if (ok) {
                    response.put("resultUrls", task.resultUrls());
                }
                d.put("response", ok ? response : null);
                if (task.family() == Family.GPT4O_IMAGE) {
                    d.put("status", ok ? "SUCCESS" : failed ? "GENERATE_FAILED" : "GENERATING");
                    d.put("progress", ok ? "1.00" : "0.50");
                }
                d.put("errorCode", failed ? Integer.parseInt(task.failCode().replaceAll("\\D", "0")) : null);
                d.put("errorMessage", failed ? task.failMsg() : "");
            }
            case RUNWAY -> {
                d.put("state", ok ? "success" : failed ? "fail" : "generating");
                d.put("generateParam", Map.of("prompt", task.input().path("prompt").asString("")));
                d.put("videoInfo", ok ? Map.of("videoId", "v_" + task.taskId(), "taskId", task.taskId(),
                        "videoUrl", task.resultUrls().getFirst(), "imageUrl", baseUrl() + "/files/result.png") : null);
                d.put("failCode", failed ? task.failCode() : "");
                d.put("failMsg", failed ? task.failMsg() : "");
                d.put("expireFlag", 0);
            }
            case SUNO -> {
                d.put("param", param);
                d.put("status", ok ? "SUCCESS" : failed ? "GENERATE_AUDIO_FAILED"
                        : now < task.createTime() + (task.completeTime() - task.createTime()) / 2 ? "PENDING"
                        : "FIRST_SUCCESS");
                d.put("type", "GENERATE");
                List<Map<String, Object>> tracks = new ArrayList<>();
                if (ok) {
                    for (int i = 0; i < task.resultUrls().size(); i++) {
                        tracks.add(Map.of("id", task.taskId() + "-" + i, "audioUrl", task.resultUrls().get(i),
                                "streamAudioUrl", task.resultUrls().get(i), "title", "Track " + (i + 1),
                                "duration", 3.0));
                    }
                }
                d.put("response", ok ? Map.of("taskId", task.taskId(), "sunoData", tracks) : null);
                d.put("errorCode", failed ? task.failCode() : null);
                d.put("errorMessage", failed ? task.failMsg() : null);
            }
            case MARKET -> throw new IllegalStateException("the jobs API has its own data");
        }
        d.put("createTime", task.createTime());
        d.put("completeTime", done ? task.completeTime() : null);
        return d;
    }

    private static Map<String, Object> withCallback(Task task) {
        Map<String, Object> param = new LinkedHashMap<>();
        task.input().properties().forEach(e -> param.put(e.getKey(), e.getValue()));
        param.put("model", task.model());
        if (task.callBackUrl() != null) {
            param.put("callBackUrl", task.callBackUrl());
        }
        return param;
    }

    private void credit(HttpExchange ex) throws IOException {
        if (unavailable(ex)) {
            return;
        }
        String key = authorized(ex);
        if (key != null) {
            Http.json(ex, 200, Map.of("code", 200, "msg", "success", "data", creditsByKey.get(key).get()));
        }
    }

    private void file(HttpExchange ex) throws IOException {
        String name = ex.getRequestURI().getPath().substring("/files/".length());
        if (!name.matches("result\\.(png|mp4|mp3)")) {
            Http.bytes(ex, 404, "text/plain", "not found".getBytes());
            return;
        }
        try (InputStream in = KieEmulator.class.getResourceAsStream("/emulator-files/" + name)) {
            byte[] bytes = in.readAllBytes();
            String type = name.endsWith(".png") ? "image/png" : name.endsWith(".mp4") ? "video/mp4" : "audio/mpeg";
            if ("HEAD".equals(ex.getRequestMethod())) {
                ex.getResponseHeaders().set("Content-Type", type);
                ex.sendResponseHeaders(200, -1);
                ex.close();
                return;
            }
            Http.bytes(ex, 200, type, bytes);
        }
    }

    /**
     * HTTP control API for tests in other processes and for the sandbox run: rules, what was received, and
     * whole-service trouble (the rate window, an outage, an unreachable host).
     */
    private void control(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        boolean post = "POST".equals(ex.getRequestMethod());
        String promptContains = Http.query(ex).get("promptContains");
        if (path.equals("/control/rules") && post) {
            addRuleFrom(ex);
        } else if (path.equals("/control/webhook-key") && post) {
            signCallbacksWith(Http.jsonBody(ex).path("key").asString(null));
            Http.json(ex, 200, Map.of("ok", true));
        } else if (path.equals("/control/tasks")) {
            Http.json(ex, 200, promptContains == null ? tasks.values() : tasksFor(promptContains));
        } else if (path.equals("/control/calls")) {
            Http.json(ex, 200, promptContains == null ? calls : callsFor(promptContains));
        } else if (path.equals("/control/credits") && post) {
            // {"credits": N} for the emulator's first key, or {"key": "...", "credits": N}; an unknown key is added
            JsonNode b = Http.jsonBody(ex);
            String key = b.path("key").asString(apiKey);
            creditsByKey.computeIfAbsent(key, k -> new AtomicLong()).set(b.path("credits").asLong(0));
            Http.json(ex, 200, Map.of("credits", creditsByKey.get(key).get()));
        } else if (path.equals("/control/rate") && post) {
            // {"maxTasks": N, "windowMs": M}: 0 turns the window off
            JsonNode b = Http.jsonBody(ex);
            limitCreateTask(b.path("maxTasks").asInt(0), Duration.ofMillis(b.path("windowMs").asLong(0)));
            Http.json(ex, 200, rate());
        } else if (path.equals("/control/rate")) {
            Http.json(ex, 200, rate());
        } else if (path.equals("/control/unavailable") && post) {
            // {"seconds": N}: every API endpoint answers 503 for N seconds; 0 ends an outage
            Duration outage = Http.seconds(ex);
            if (outage.isZero()) {
                available();
            } else {
                unavailableFor(outage);
            }
            Http.json(ex, 200, Map.of("ok", true));
        } else if (path.equals("/control/unreachable") && post) {
            // {"seconds": N}: answered first, then the listening socket is closed for N seconds
            Duration outage = Http.seconds(ex);
            Http.json(ex, 200, Map.of("ok", true));
            unreachableFor(outage);
        } else {
            Http.json(ex, 404, Map.of("error", "no such control endpoint"));
        }
    }

    /** {@code POST /control/rules}: a {@link Rule} as JSON. */
    private void addRuleFrom(HttpExchange ex) throws IOException {
        JsonNode b = Http.jsonBody(ex);
        List<Answer> answers = new ArrayList<>();
        for (JsonNode a : b.path("createTask")) {
            answers.add(new Answer(a.path("httpStatus").asInt(200), a.path("code").asInt(200),
                    a.path("msg").asString("")));
        }
        AfterCreate after;
        try {
            after = AfterCreate.valueOf(b.path("afterCreate").asString("ANSWER").toUpperCase().replace('-', '_'));
        } catch (IllegalArgumentException e) {
            Http.json(ex, 400, Map.of("error", "afterCreate is one of answer, answer-late, server-error"));
            return;
        }
        List<String> resultUrls = null;
        if (b.has("resultUrls")) {
            resultUrls = new ArrayList<>();
            for (JsonNode u : b.get("resultUrls")) {
                resultUrls.add(u.asString());
            }
        }
        addRule(new Rule(b.path("promptContains").asString(""), answers, b.path("fail").asBoolean(false),
                b.path("failCode").asString(null), b.path("failMsg").asString(null),
                b.has("delayMs") ? b.get("delayMs").asLong() : null, b.path("duplicateCallback").asBoolean(false),
                b.path("callbackBeforeAccept").asBoolean(false), b.path("noCallback").asBoolean(false),
                resultUrls == null ? null : List.copyOf(resultUrls), after, b.path("lateAnswerMs").asLong(60_000)));
        Http.json(ex, 200, Map.of("ok", true));
    }

    private Rule ruleFor(String prompt) {
        if (prompt == null) {
            return null;
        }
        for (Rule r : rules) {
            if (!r.promptContains().isEmpty() && prompt.contains(r.promptContains())) {
                return r;
            }
        }
        return null;
    }

    private Map<String, Object> data(Task task, long now) {
        boolean done = now >= task.completeTime();
        String state = done ? (task.fail() ? "fail" : "success")
                : now < task.createTime() + (task.completeTime() - task.createTime()) / 5 ? "waiting" : "generating";
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("taskId", task.taskId());
        d.put("model", task.model());
        d.put("state", state);
        d.put("param", Http.JSON.writeValueAsString(Map.of("model", task.model(), "input", task.input(),
                "callBackUrl", task.callBackUrl() == null ? "" : task.callBackUrl())));
        d.put("resultJson", done && !task.fail()
                ? Http.JSON.writeValueAsString(Map.of("resultUrls", task.resultUrls())) : "");
        d.put("failCode", done && task.fail() ? task.failCode() : "");
        d.put("failMsg", done && task.fail() ? task.failMsg() : "");
        d.put("costTime", done ? task.completeTime() - task.createTime() : 0);
        d.put("completeTime", done ? task.completeTime() : null);
        d.put("createTime", task.createTime());
        d.put("updateTime", done ? task.completeTime() : task.createTime());
        return d;
    }

    /**
     * The callback body of the task's family (kie-api.md §4.1, §4.2). {@code sunoStage}: Suno's callbackType
     * ({@code text}, {@code first}; null for the final one).
     */
    Map<String, Object> callbackBody(Task task, String sunoStage) {
        if (task.family() == Family.MARKET) {
            return callbackBody(task);
        }
        boolean ok = !task.fail();
        int failCode = ok ? 200 : Integer.parseInt(task.failCode().replaceAll("\\D", "0"));
        Map<String, Object> d = new LinkedHashMap<>();
        String msg;
        switch (task.family()) {
            case VEO -> {
                d.put("taskId", task.taskId());
                if (ok) {
                    d.put("info", Map.of("resultUrls", task.resultUrls(), "originUrls", task.resultUrls(),
                            "resolution", "720p"));
                }
                d.put("fallbackFlag", false);
                msg = ok ? "Veo3.1 video generated successfully." : task.failMsg();
            }
            case RUNWAY -> {
                d.put("task_id", task.taskId());
                d.put("video_id", ok ? "v_" + task.taskId() : "");
                d.put("video_url", ok ? task.resultUrls().getFirst() : "");
                d.put("image_url", ok ? baseUrl() + "/files/result.png" : "");
                msg = ok ? "All generated successfully." : task.failMsg();
            }
            case GPT4O_IMAGE -> {
                d.put("taskId", task.taskId());
                d.put("info", ok ? Map.of("result_urls", task.resultUrls()) : null);
                msg = ok ? "success" : task.failMsg();
            }
            case FLUX_KONTEXT -> {
                d.put("taskId", task.taskId());
                d.put("info", Map.of("originImageUrl", ok ? task.resultUrls().getFirst() : "",
                        "resultImageUrl", ok ? task.resultUrls().getFirst() : ""));
                msg = ok ? "BFL image generated successfully." : task.failMsg();
            }
            case SUNO -> {
                String type = !ok ? "error" : sunoStage == null ? "complete" : sunoStage;
                d.put("callbackType", type);
                d.put("task_id", task.taskId());
                List<Map<String, Object>> tracks = new ArrayList<>();
                if (ok && !"text".equals(type)) {
                    int n = "first".equals(type) ? 1 : task.resultUrls().size();
                    for (int i = 0; i < n; i++) {
                        tracks.add(Map.of("id", task.taskId() + "-" + i, "audio_url", task.resultUrls().get(i),
                                "stream_audio_url", task.resultUrls().get(i), "title", "Track " + (i + 1),
                                "duration", 3.0));
                    }
                }
                d.put("data", ok ? tracks : null);
                msg = ok ? ("complete".equals(type) ? "All generated successfully." : type + " generated")
                        : task.failMsg();
            }
            default -> throw new IllegalStateException("unreachable");
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("code", failCode);
        body.put("msg", msg);
        body.put("data", d);
        return body;
    }

    /** The Market callback body of kie-api.md §4.1, for success (code 200) or failure (code 501). */
    Map<String, Object> callbackBody(Task task) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("taskId", task.taskId());
        d.put("model", task.model());
        d.put("state", task.fail() ? "fail" : "success");
        d.put("param", Http.JSON.writeValueAsString(Map.of("model", task.model(),
                "input", Http.JSON.writeValueAsString(task.input()), "callBackUrl", task.callBackUrl())));
        if (task.fail()) {
            d.put("resultJson", null);
            d.put("failCode", task.failCode());
            d.put("failMsg", task.failMsg());
        } else {
            d.put("resultJson", Http.JSON.writeValueAsString(Map.of("resultUrls", task.resultUrls())));
        }
        d.put("costTime", Math.max(1, (task.completeTime() - task.createTime()) / 1000));
        d.put("completeTime", task.completeTime());
        d.put("createTime", task.createTime());
        d.put("updateTime", task.completeTime());
        d.put("creditsConsumed", task.fail() ? 0 : 4);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("code", task.fail() ? 501 : 200);
        body.put("msg", task.fail() ? "Playground task failed." : "Playground task completed successfully.");
        body.put("data", d);
        return body;
    }

    /** Like KIE: POST the callback; on anything but HTTP 200 retry (KIE waits 1, 5, 15 minutes; here scaled down). */
    private void deliverCallback(Task task, int attempt) {
        deliverCallback(task, attempt, null);
    }

    private void deliverCallback(Task task, int attempt, String sunoStage) {
        try {
            callbackSenders.execute(() -> sendCallback(task, attempt, sunoStage));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // the emulator is closing
        }
    }

    private void sendCallback(Task task, int attempt, String sunoStage) {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(task.callBackUrl()))
                    .timeout(Duration.ofSeconds(15)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(Http.JSON.writeValueAsString(
                            callbackBody(task, sunoStage))));
            String key = webhookHmacKey;
            if (key != null) {
                String timestamp = Long.toString(System.currentTimeMillis() / 1000);
                request.header("X-Webhook-Timestamp", timestamp)
                        .header("X-Webhook-Signature", webhookSignature(key, task.taskId(), timestamp));
            }
            HttpResponse<String> r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 200) {
                if (sunoStage == null) {
                    callbacksAccepted.computeIfAbsent(task.taskId(), t -> new AtomicInteger()).incrementAndGet();
                }
                return;
            }
            log.info("kie-emulator: callback for {} answered {}", task.taskId(), r.statusCode());
        } catch (IOException e) {
            log.info("kie-emulator: callback for {} failed: {}", task.taskId(), e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        if (attempt <= 3) {
            scheduler.schedule(() -> deliverCallback(task, attempt + 1, sunoStage), CALLBACK_RETRY_DELAY_MS * attempt,
                    TimeUnit.MILLISECONDS);
        }
    }

    private static String fileFor(String model) {
        String m = model.toLowerCase();
        if (m.contains("video") || m.contains("veo") || m.contains("kling") || m.contains("hailuo")
                || m.contains("sora") || m.contains("wan/") || m.contains("runway")) {
            return "result.mp4";
        }
        if (m.contains("audio") || m.contains("suno") || m.contains("music") || m.contains("speech")
                || m.contains("elevenlabs") || m.contains("tts")) {
            return "result.mp3";
        }
        return "result.png";
    }
}
