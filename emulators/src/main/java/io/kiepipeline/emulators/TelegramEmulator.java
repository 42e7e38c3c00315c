package io.kiepipeline.emulators;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import tools.jackson.databind.JsonNode;

/**
 * An emulator of the Telegram Bot API: {@code /bot<token>/<method>} with method names in any case (TelegramBots 9
 * lower-cases them), the real envelopes ({@code {"ok":true,"result":…}} and
 * {@code {"ok":false,"error_code":429,"description":…,"parameters":{"retry_after":N}}}), long-polling
 * {@code getUpdates} with offsets, and sends that fetch media URLs the way Telegram does (an unreachable URL is a
 * 400). A control API injects users' messages, reads what the bot sent, makes chats fail (429, 403, 5xx), and
 * makes the whole API unavailable for a while (502 to every method, as during an outage of Telegram's front end)
 * or unreachable (connections refused, {@link #unreachableFor}), and queues raw, even malformed, updates.
 */
public final class TelegramEmulator implements AutoCloseable {
    /** Something the bot sent. */
    public record Sent(int messageId, String method, long chatId, String text, String mediaUrl, long at) {
    }

    /** A scripted failure for the next sends to one chat. */
    public record Failure(int errorCode, String description, Integer retryAfter) {
        public static Failure tooManyRequests(int retryAfterSeconds) {
            return new Failure(429, "Too Many Requests: retry after " + retryAfterSeconds, retryAfterSeconds);
        }

        public static Failure blocked() {
            return new Failure(403, "Forbidden: bot was blocked by the user", null);
        }

        public static Failure serverError() {
            return new Failure(500, "Internal Server Error", null);
        }
    }

    private record Update(int updateId, Map<String, Object> json) {
    }

    private final Http.Rebindable server;
    private final String token;
    private final long botId;
    private final Object updatesLock = new Object();
    private final Deque<Update> pending = new ArrayDeque<>();
    private final Map<Integer, Update> all = new ConcurrentHashMap<>();
    private final AtomicInteger updateIds = new AtomicInteger(100);
    private final AtomicInteger messageIds = new AtomicInteger(1000);
    private final List<Sent> sent = new CopyOnWriteArrayList<>();
    private final Map<Long, Deque<Failure>> failures = new ConcurrentHashMap<>();
    private final Set<Long> blocked = ConcurrentHashMap.newKeySet();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    private final AtomicInteger getUpdatesInFlight = new AtomicInteger();
    /** The latest getUpdates; an older one still waiting is terminated with 409 (guarded by updatesLock). */
    private long currentPoll;
    private final AtomicInteger conflicts = new AtomicInteger();
    private volatile long sendLatencyMs;
    private final Map<Long, AtomicInteger> sendCalls = new ConcurrentHashMap<>();
    private volatile long unavailableUntilMs;

    private TelegramEmulator(int port, String token) throws IOException {
        this.token = token;
        this.botId = Long.parseLong(token.substring(0, token.indexOf(':')));
        this.server = new Http.Rebindable("telegram-emulator", port, s -> s.createContext("/", this::route));
    }

    /** Starts on a port (0: any free port). The token looks like Telegram's: {@code <botId>:<secret>}. */
    public static TelegramEmulator start(int port, String token) throws IOException {
        return new TelegramEmulator(port, token);
    }

    /** The emulator's address; the same while it is unreachable and after it comes back. */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.port();
    }

    /**
     * Telegram cannot be reached for a while: the listening socket is closed (connections refused, open long polls
     * dropped), then bound again on the same port with every update and sent message kept.
     */
    public void unreachableFor(Duration outage) {
        server.unreachableFor(outage);
    }

    /**
     * Queues an update exactly as given (it may be nonsense: no message, a null text, an unknown kind) except that
     * {@code update_id} is set to the next update id. Returns that id.
     */
    public int rawUpdate(Map<String, Object> json) {
        int id = updateIds.incrementAndGet();
        Map<String, Object> update = new LinkedHashMap<>();
        update.put("update_id", id);
        json.forEach((k, v) -> {
            if (!"update_id".equals(k)) {
                update.put(k, v);
            }
        });
        enqueue(new Update(id, update));
        return id;
    }

    /** A user writes to the bot. Returns the update id. */
    public int userSays(long userId, long chatId, String text) {
        int id = updateIds.incrementAndGet();
        Map<String, Object> from = Map.of("id", userId, "is_bot", false, "first_name", "User" + userId);
        Map<String, Object> chat = Map.of("id", chatId, "type", "private", "first_name", "User" + userId);
        Map<String, Object> message = new LinkedHashMap<>();
        message.put("message_id", messageIds.incrementAndGet());
        message.put("from", from);
        message.put("chat", chat);
        message.put("date", System.currentTimeMillis() / 1000);
        message.put("text", text);
        if (text.startsWith("/")) {
            int end = text.indexOf(' ');
            message.put("entities", List.of(Map.of("type", "bot_command", "offset", 0,
                    "length", end < 0 ? text.length() : end)));
        }
        enqueue(new Update(id, Map.of("update_id", id, "message", message)));
        return id;
    }

    private void enqueue(Update u) {
        all.put(u.updateId(), u);
        synchronized (updatesLock) {
            pending.addLast(u);
            updatesLock.notifyAll();
        }
    }

    /**
     * Telegram sends an update again, as it does to a bot that restarted before confirming it (the next getUpdates
     * whose offset is past it confirms it again). Returns false, queuing nothing, for an id it never gave.
     */
    public boolean redeliver(int updateId) {
        Update u = all.get(updateId);
        if (u == null) {
            return false;
        }
        synchronized (updatesLock) {
            pending.addLast(u);
            updatesLock.notifyAll();
        }
        return true;
    }

    public List<Sent> sentTo(long chatId) {
        return sent.stream().filter(s -> s.chatId() == chatId).toList();
    }

    public List<Sent> allSent() {
        return List.copyOf(sent);
    }

    /** How many messages the bot has sent. */
    public int sentCount() {
        return sent.size();
    }

    /** What the bot sent from the {@code since}-th message on (0: everything), in order, for paging. */
    public List<Sent> sentSince(int since) {
        List<Sent> snapshot = List.copyOf(sent);
        return snapshot.subList(Math.min(Math.max(0, since), snapshot.size()), snapshot.size());
    }

    /** The next sends to the chat fail like this, in order. */
    public void failNext(long chatId, Failure... next) {
        failures.computeIfAbsent(chatId, c -> new java.util.concurrent.ConcurrentLinkedDeque<>())
                .addAll(List.of(next));
    }

    /** The user blocks the bot: every send to the chat is 403. */
    public void block(long chatId) {
        blocked.add(chatId);
    }


    /**
     * Telegram is down for a while: every method (getUpdates included) answers 502 Bad Gateway until then. A
     * second call replaces the first.
     */
    public void unavailableFor(Duration outage) {
        unavailableUntilMs = System.currentTimeMillis() + outage.toMillis();
    }

    /** Telegram is back. */
    public void available() {
        unavailableUntilMs = 0;
    }

    /** Every send call to the chat, answered or refused (a scripted failure, a block, an outage). */
    public int sendCallsTo(long chatId) {
        AtomicInteger n = sendCalls.get(chatId);
        return n == null ? 0 : n.get();
    }

    /**
     * How many long polls were terminated with 409 Conflict by a newer getUpdates (two bot instances polling at once,
     * or one whose earlier poll the emulator still held: a dead poller's poll is answered to nobody).
     */
    public int conflicts() {
        return conflicts.get();
    }

    /** Long polls being held open right now. */
    public int getUpdatesInFlight() {
        return getUpdatesInFlight.get();
    }

    @Override
    public void close() {
        synchronized (updatesLock) {
            updatesLock.notifyAll();
        }
        server.close();
    }

    private void route(HttpExchange ex) throws IOException {
        try {
            String path = ex.getRequestURI().getPath();
            if (path.startsWith("/control/")) {
                control(ex, path);
                return;
            }
            if (!path.startsWith("/bot")) {
                error(ex, 404, "Not Found", null);
                return;
            }
            int slash = path.indexOf('/', 4);
            if (slash < 0) {
                error(ex, 404, "Not Found", null);
                return;
            }
            String givenToken = path.substring(4, slash);
            if (!givenToken.equals(token)) {
                error(ex, 401, "Unauthorized", null);
                return;
            }
            String method = path.substring(slash + 1).toLowerCase(Locale.ROOT);
            Map<String, String> fields = Http.fields(ex);
            if (method.startsWith("send") && fields.get("chat_id") != null && !fields.get("chat_id").isBlank()) {
                sendCalls.computeIfAbsent(Long.parseLong(fields.get("chat_id").trim()), c -> new AtomicInteger())
                        .incrementAndGet();
            }
            if (System.currentTimeMillis() < unavailableUntilMs) {
                error(ex, 502, "Bad Gateway", null);
                return;
            }
            switch (method) {
                case "getme" -> ok(ex, Map.of("id", botId, "is_bot", true, "first_name", "KIE Pipeline",
                        "username", "kie_pipeline_bot", "can_join_groups", false));
                case "getupdates" -> getUpdates(ex, fields);
                case "sendmessage" -> send(ex, "sendMessage", fields, "text", null);
                case "sendphoto" -> send(ex, "sendPhoto", fields, "caption", "photo");
                case "sendvideo" -> send(ex, "sendVideo", fields, "caption", "video");
                case "sendaudio" -> send(ex, "sendAudio", fields, "caption", "audio");
                case "senddocument" -> send(ex, "sendDocument", fields, "caption", "document");
                case "answercallbackquery", "setmycommands", "deletewebhook", "editmessagetext" -> ok(ex, true);
                default -> error(ex, 404, "Not Found: method not found", null);
            }
        } catch (RuntimeException e) {
            error(ex, 400, "Bad Request: " + e.getMessage(), null);
        }
    }

    private void getUpdates(HttpExchange ex, Map<String, String> fields) throws IOException {
        getUpdatesInFlight.incrementAndGet();
        try {
            longPoll(ex, fields);
        } finally {
            getUpdatesInFlight.decrementAndGet();
        }
    }

    private void longPoll(HttpExchange ex, Map<String, String> fields) throws IOException {
        long offset = Long.parseLong(fields.getOrDefault("offset", "0"));
        int limit = Integer.parseInt(fields.getOrDefault("limit", "100"));
        long timeoutMs = Long.parseLong(fields.getOrDefault("timeout", "0")) * 1000;
        long deadline = System.currentTimeMillis() + timeoutMs;
        List<Map<String, Object>> result = new ArrayList<>();
        long poll;
        synchronized (updatesLock) {
            // like Telegram: a getUpdates terminates the one still waiting, which gets 409 Conflict
            poll = ++currentPoll;
            updatesLock.notifyAll();
        }
        boolean terminated = false;
        synchronized (updatesLock) {
            while (true) {
                if (currentPoll != poll) {
                    terminated = true;
                    break;
                }
                // like Telegram: an offset confirms every update before it
                pending.removeIf(u -> u.updateId() < offset);
                for (Update u : pending) {
                    if (result.size() < limit) {
                        result.add(u.json());
                    }
                }
                long left = deadline - System.currentTimeMillis();
                if (!result.isEmpty() || left <= 0) {
                    break;
                }
                try {
                    updatesLock.wait(Math.min(left, 1000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        if (terminated) {
            conflicts.incrementAndGet();
            error(ex, 409, "Conflict: terminated by other getUpdates request; make sure that only one bot instance"
                    + " is running", null);
            return;
        }
        ok(ex, result);
    }

    /** How long every send takes to answer (benchmarks where Telegram's own time dominates); zero by default. */
    public void answerSendsAfter(Duration latency) {
        this.sendLatencyMs = latency.toMillis();
    }

    private void send(HttpExchange ex, String method, Map<String, String> fields, String textField,
                      String mediaField) throws IOException {
        if (sendLatencyMs > 0) {
            // on this request's own virtual thread, like a slow server
            try {
                Thread.sleep(sendLatencyMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        String chat = fields.get("chat_id");
        if (chat == null || chat.isBlank()) {
            error(ex, 400, "Bad Request: chat_id is empty", null);
            return;
        }
        long chatId = Long.parseLong(chat.trim());
        if (blocked.contains(chatId)) {
            error(ex, 403, "Forbidden: bot was blocked by the user", null);
            return;
        }
        Deque<Failure> queue = failures.get(chatId);
        Failure f = queue == null ? null : queue.pollFirst();
        if (f != null) {
            error(ex, f.errorCode(), f.description(), f.retryAfter());
            return;
        }
        String text = fields.get(textField);
        if ("sendMessage".equals(method) && (text == null || text.isBlank())) {
            error(ex, 400, "Bad Request: message text is empty", null);
            return;
        }
        String media = mediaField == null ? null : fields.get(mediaField);
        if (mediaField != null) {
            if (media == null || media.isBlank()) {
                error(ex, 400, "Bad Request: there is no " + mediaField + " in the request", null);
                return;
            }
            if (media.startsWith("http") && !fetchable(media)) {
                error(ex, 400, "Bad Request: wrong file identifier/HTTP URL specified", null);
                return;
            }
        }
        int messageId = messageIds.incrementAndGet();
        sent.add(new Sent(messageId, method, chatId, text, media, System.currentTimeMillis()));
        Map<String, Object> message = new LinkedHashMap<>();
        message.put("message_id", messageId);
        message.put("date", System.currentTimeMillis() / 1000);
        message.put("chat", Map.of("id", chatId, "type", "private"));
        message.put("from", Map.of("id", botId, "is_bot", true, "first_name", "KIE Pipeline"));
        if (text != null) {
            message.put("sendMessage".equals(method) ? "text" : "caption", text);
        }
        ok(ex, message);
    }

    /** Telegram downloads media sent by URL; so does the emulator, so a dead result URL fails as it would. */
    private boolean fetchable(String url) {
        try {
            HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5))
                    .GET().build(), HttpResponse.BodyHandlers.discarding());
            return r.statusCode() == 200;
        } catch (IOException | IllegalArgumentException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void control(HttpExchange ex, String path) throws IOException {
        if (path.equals("/control/updates") && "POST".equals(ex.getRequestMethod())) {
            JsonNode b = Http.jsonBody(ex);
            long userId = b.path("userId").asLong();
            int id = userSays(userId, b.path("chatId").asLong(userId), b.path("text").asString(""));
            Http.json(ex, 200, Map.of("updateId", id));
        } else if (path.equals("/control/raw-update") && "POST".equals(ex.getRequestMethod())) {
            Http.json(ex, 200, Map.of("updateId", rawUpdate(rawUpdateBody(Http.body(ex)))));
        } else if (path.equals("/control/redeliver") && "POST".equals(ex.getRequestMethod())) {
            int updateId = Http.jsonBody(ex).path("updateId").asInt(-1);
            if (redeliver(updateId)) {
                Http.json(ex, 200, Map.of("ok", true));
            } else {
                Http.json(ex, 404, Map.of("error", "no such update: " + updateId));
            }
        } else if (path.equals("/control/sent/count")) {
            Http.json(ex, 200, Map.of("count", sentCount()));
        } else if (path.equals("/control/conflicts")) {
            Http.json(ex, 200, Map.of("count", conflicts()));
        } else if (path.equals("/control/sent")) {
            // ?since=<index> pages through everything sent; ?chatId= keeps one chat's messages of those
            Map<String, String> q = Http.query(ex);
            List<Sent> from = sentSince(Integer.parseInt(q.getOrDefault("since", "0")));
            String chat = q.get("chatId");
            Http.json(ex, 200, chat == null ? from
                    : from.stream().filter(m -> m.chatId() == Long.parseLong(chat)).toList());
        } else if (path.equals("/control/unreachable") && "POST".equals(ex.getRequestMethod())) {
            // {"seconds": N}: answered first, then the listening socket is closed for N seconds
            Duration outage = Http.seconds(ex);
            Http.json(ex, 200, Map.of("ok", true));
            unreachableFor(outage);
        } else if (path.startsWith("/control/chats/") && path.endsWith("/fail")) {
            long chatId = Long.parseLong(path.substring("/control/chats/".length(), path.length() - "/fail".length()));
            JsonNode b = Http.jsonBody(ex);
            failNext(chatId, new Failure(b.path("errorCode").asInt(429), b.path("description").asString("error"),
                    b.has("retryAfter") ? b.get("retryAfter").asInt() : null));
            Http.json(ex, 200, Map.of("ok", true));
        } else if (path.equals("/control/unavailable") && "POST".equals(ex.getRequestMethod())) {
            // {"seconds": N}: every method answers 502 for N seconds; 0 ends an outage
            long seconds = Http.jsonBody(ex).path("seconds").asLong(0);
            if (seconds > 0) {
                unavailableFor(Duration.ofSeconds(seconds));
            } else {
                available();
            }
            Http.json(ex, 200, Map.of("ok", true));
        } else if (path.startsWith("/control/chats/") && path.endsWith("/block")) {
            block(Long.parseLong(path.substring("/control/chats/".length(), path.length() - "/block".length())));
            Http.json(ex, 200, Map.of("ok", true));
        } else {
            Http.json(ex, 404, Map.of("error", "no such control endpoint"));
        }
    }

    /** A JSON object as it is; anything else wrapped as {@code {"garbage": <the text>}}. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> rawUpdateBody(byte[] body) {
        try {
            JsonNode node = Http.JSON.readTree(body);
            if (node != null && node.isObject()) {
                return Http.JSON.convertValue(node, LinkedHashMap.class);
            }
        } catch (RuntimeException e) {
            // not JSON at all: garbage
        }
        Map<String, Object> wrapped = new LinkedHashMap<>();
        wrapped.put("garbage", new String(body, StandardCharsets.UTF_8));
        return wrapped;
    }

    private static void ok(HttpExchange ex, Object result) throws IOException {
        Http.json(ex, 200, Map.of("ok", true, "result", result));
    }

    private static void error(HttpExchange ex, int code, String description, Integer retryAfter) throws IOException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("ok", false);
        body.put("error_code", code);
        body.put("description", description);
        if (retryAfter != null) {
            body.put("parameters", Map.of("retry_after", retryAfter));
        }
        Http.json(ex, code, body);
    }
}
