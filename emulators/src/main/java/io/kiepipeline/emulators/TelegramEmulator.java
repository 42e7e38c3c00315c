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
    /** Something the bot sent; {@code replyMarkup} is the reply_markup JSON as sent (null: none). */
    public record Sent(int messageId, String method, long chatId, String text, String mediaUrl, long at,
                       String replyMarkup) {
    }

    /** A change the bot made to a message it had sent. */
    public record Edit(int messageId, String method, long chatId, String text, String replyMarkup, long at) {
    }

    /**
     * A message of a chat as the user sees it now: the bot's after their edits, and the user's own ({@code kind}:
     * text, photo, video, audio, document, animation, invoice, payment, refund).
     */
    public record Line(int messageId, boolean fromBot, String kind, String text, String mediaUrl, String replyMarkup,
                       boolean edited, long at) {
    }

    /** An invoice the bot sent; {@code totalAmount} in the currency's smallest unit (Stars for XTR). */
    public record Invoice(int messageId, long chatId, String title, String description, String payload,
                          String currency, long totalAmount, boolean withProvider) {
    }

    /**
     * A payment's course: the pre-checkout query Telegram sent, the bot's answer, and the successful payment.
     * {@code status}: WAITING (for the bot's answer), PAID, DECLINED (the bot said no), EXPIRED (no answer in 10 s).
     */
    public record Payment(String preCheckoutQueryId, long userId, int invoiceMessageId, String payload,
                          String currency, long totalAmount, String status, String errorMessage, String chargeId,
                          boolean refunded) {
        Payment with(String newStatus, String error, String charge, boolean isRefunded) {
            return new Payment(preCheckoutQueryId, userId, invoiceMessageId, payload, currency, totalAmount, newStatus,
                    error, charge, isRefunded);
        }
    }

    /** How the bot answered a button tap. */
    public record CallbackAnswer(String callbackQueryId, String text, boolean showAlert) {
    }

    /** A file Telegram keeps: a user's upload (reached through getFile) or one the bot uploaded. */
    private record StoredFile(String fileId, String uniqueId, String path, String contentType, byte[] bytes) {
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
    private final List<Edit> edits = new CopyOnWriteArrayList<>();
    /** Each chat's messages as the user sees them, by message id in order (guarded by the map itself). */
    private final Map<Long, Map<Integer, Line>> chats = new ConcurrentHashMap<>();
    private final Map<String, StoredFile> files = new ConcurrentHashMap<>();
    private final Map<String, StoredFile> filesByPath = new ConcurrentHashMap<>();
    private final AtomicInteger fileIds = new AtomicInteger();
    private final Map<String, Boolean> callbackQueries = new ConcurrentHashMap<>();
    private final List<CallbackAnswer> callbackAnswers = new CopyOnWriteArrayList<>();
    private final AtomicInteger queryIds = new AtomicInteger();
    private final Map<Integer, Invoice> invoices = new ConcurrentHashMap<>();
    private final Map<String, Payment> payments = new ConcurrentHashMap<>();
    private final Map<String, Object> commands = new ConcurrentHashMap<>();
    private volatile long checkoutTimeoutMs = 10_000;
    private volatile String webhookUrl;
    private volatile String webhookSecret;
    private final AtomicInteger webhookDeliveries = new AtomicInteger();
    private Thread webhookThread;

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
        return userSays(userId, chatId, text, null);
    }

    /** A user whose Telegram is set to a language ({@code "ru"}, {@code "en"}; null: none) writes to the bot. */
    public int userSays(long userId, long chatId, String text, String languageCode) {
        int id = updateIds.incrementAndGet();
        Map<String, Object> message = userMessage(userId, chatId, languageCode);
        message.put("text", text);
        if (text.startsWith("/")) {
            int end = text.indexOf(' ');
            message.put("entities", List.of(Map.of("type", "bot_command", "offset", 0,
                    "length", end < 0 ? text.length() : end)));
        }
        enqueue(new Update(id, Map.of("update_id", id, "message", message)));
        addLine(chatId, new Line((Integer) message.get("message_id"), false, "text", text, null, null, false,
                System.currentTimeMillis()));
        return id;
    }

    private Map<String, Object> userMessage(long userId, long chatId, String languageCode) {
        Map<String, Object> from = new LinkedHashMap<>();
        from.put("id", userId);
        from.put("is_bot", false);
        from.put("first_name", "User" + userId);
        if (languageCode != null) {
            from.put("language_code", languageCode);
        }
        Map<String, Object> message = new LinkedHashMap<>();
        message.put("message_id", messageIds.incrementAndGet());
        message.put("from", from);
        message.put("chat", Map.of("id", chatId, "type", "private", "first_name", "User" + userId));
        message.put("date", System.currentTimeMillis() / 1000);
        return message;
    }

    /**
     * The user taps an inline button of a message: a {@code callback_query} update with the button's data, as a
     * Telegram client sends it (the bot must answer it with answerCallbackQuery). Returns the update id.
     */
    public int userTaps(long userId, long chatId, int messageId, String data) {
        int id = updateIds.incrementAndGet();
        String queryId = Long.toString(botId * 1000 + queryIds.incrementAndGet());
        callbackQueries.put(queryId, false);
        Map<String, Object> message = new LinkedHashMap<>();
        message.put("message_id", messageId);
        message.put("from", Map.of("id", botId, "is_bot", true, "first_name", "KIE Pipeline"));
        message.put("chat", Map.of("id", chatId, "type", "private", "first_name", "User" + userId));
        message.put("date", System.currentTimeMillis() / 1000);
        Line line = chat(chatId).stream().filter(l -> l.messageId() == messageId).findFirst().orElse(null);
        if (line != null && line.text() != null) {
            message.put("text", line.text());
        }
        Map<String, Object> query = new LinkedHashMap<>();
        query.put("id", queryId);
        query.put("from", Map.of("id", userId, "is_bot", false, "first_name", "User" + userId));
        query.put("message", message);
        query.put("chat_instance", Long.toString(chatId * 31));
        query.put("data", data);
        enqueue(new Update(id, Map.of("update_id", id, "callback_query", query)));
        return id;
    }

    /**
     * The user sends a photo (JPEG bytes): a message with {@code photo}, two sizes as Telegram sends them, each
     * reachable through getFile and the file download path. Returns the update id.
     */
    public int userSendsPhoto(long userId, long chatId, byte[] jpeg, String caption) {
        int id = updateIds.incrementAndGet();
        StoredFile large = store("photos", "image/jpeg", jpeg);
        StoredFile small = store("photos", "image/jpeg", jpeg);
        Map<String, Object> message = userMessage(userId, chatId, null);
        message.put("photo", List.of(
                Map.of("file_id", small.fileId(), "file_unique_id", small.uniqueId(), "width", 90, "height", 90,
                        "file_size", jpeg.length),
                Map.of("file_id", large.fileId(), "file_unique_id", large.uniqueId(), "width", 1280, "height", 1280,
                        "file_size", jpeg.length)));
        if (caption != null) {
            message.put("caption", caption);
        }
        enqueue(new Update(id, Map.of("update_id", id, "message", message)));
        addLine(chatId, new Line((Integer) message.get("message_id"), false, "photo", caption,
                baseUrl() + "/media/" + large.fileId(), null, false, System.currentTimeMillis()));
        return id;
    }

    /**
     * The user pays an invoice the bot sent to their chat: Telegram sends a {@code pre_checkout_query}; if the bot
     * answers ok within 10 seconds, a message with {@code successful_payment} follows, else the payment fails
     * (DECLINED, EXPIRED). Returns the pre-checkout query's id; {@link #payments()} shows the course.
     */
    public String userPays(long userId, int invoiceMessageId) {
        Invoice invoice = invoices.get(invoiceMessageId);
        if (invoice == null || invoice.chatId() != userId) {
            throw new IllegalArgumentException("no invoice " + invoiceMessageId + " in the chat of user " + userId);
        }
        String queryId = "pcq_" + botId + "_" + queryIds.incrementAndGet();
        payments.put(queryId, new Payment(queryId, userId, invoiceMessageId, invoice.payload(), invoice.currency(),
                invoice.totalAmount(), "WAITING", null, null, false));
        int id = updateIds.incrementAndGet();
        Map<String, Object> query = new LinkedHashMap<>();
        query.put("id", queryId);
        query.put("from", Map.of("id", userId, "is_bot", false, "first_name", "User" + userId));
        query.put("currency", invoice.currency());
        query.put("total_amount", invoice.totalAmount());
        query.put("invoice_payload", invoice.payload());
        enqueue(new Update(id, Map.of("update_id", id, "pre_checkout_query", query)));
        Thread.ofVirtual().name("telegram-emulator-checkout").start(() -> awaitCheckout(queryId));
        return queryId;
    }

    private void awaitCheckout(String queryId) {
        long deadline = System.currentTimeMillis() + checkoutTimeoutMs;
        synchronized (payments) {
            while ("WAITING".equals(payments.get(queryId).status()) && System.currentTimeMillis() < deadline) {
                try {
                    payments.wait(Math.max(1, deadline - System.currentTimeMillis()));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            Payment p = payments.get(queryId);
            if ("WAITING".equals(p.status())) {
                payments.put(queryId, p.with("EXPIRED", "the bot did not answer the pre-checkout query in 10 s", null,
                        false));
                return;
            }
            if (!"PAID".equals(p.status())) {
                return;
            }
            int id = updateIds.incrementAndGet();
            Map<String, Object> message = userMessage(p.userId(), p.userId(), null);
            Map<String, Object> paid = new LinkedHashMap<>();
            paid.put("currency", p.currency());
            paid.put("total_amount", p.totalAmount());
            paid.put("invoice_payload", p.payload());
            paid.put("telegram_payment_charge_id", p.chargeId());
            paid.put("provider_payment_charge_id", "XTR".equals(p.currency()) ? "" : "prov_" + p.chargeId());
            message.put("successful_payment", paid);
            enqueue(new Update(id, Map.of("update_id", id, "message", message)));
            addLine(p.userId(), new Line((Integer) message.get("message_id"), false, "payment",
                    "Paid " + p.totalAmount() + " " + p.currency(), null, null, false, System.currentTimeMillis()));
        }
    }

    /** How long Telegram waits for the bot's answer to a pre-checkout query: 10 s, as Telegram does; tests shorten it. */
    public void answerCheckoutWithin(Duration timeout) {
        this.checkoutTimeoutMs = timeout.toMillis();
    }

    /** A chat as the user sees it now, oldest first. */
    public List<Line> chat(long chatId) {
        Map<Integer, Line> lines = chats.get(chatId);
        if (lines == null) {
            return List.of();
        }
        synchronized (lines) {
            return List.copyOf(lines.values());
        }
    }

    /** Every edit the bot made, in order. */
    public List<Edit> edits() {
        return List.copyOf(edits);
    }

    public List<Invoice> invoicesTo(long chatId) {
        return invoices.values().stream().filter(i -> i.chatId() == chatId)
                .sorted(java.util.Comparator.comparingInt(Invoice::messageId)).toList();
    }

    public List<Payment> payments() {
        return List.copyOf(payments.values());
    }

    public List<CallbackAnswer> callbackAnswers() {
        return List.copyOf(callbackAnswers);
    }

    /** The bot's commands as set with setMyCommands, by language code ("" for the default). */
    public Map<String, Object> commands() {
        return Map.copyOf(commands);
    }

    /** The webhook's URL (null: none; the bot long-polls). */
    public String webhookUrl() {
        return webhookUrl;
    }

    /** Updates the webhook accepted (answered 2xx). */
    public int webhookDeliveries() {
        return webhookDeliveries.get();
    }

    private void addLine(long chatId, Line line) {
        Map<Integer, Line> lines = chats.computeIfAbsent(chatId, c -> new LinkedHashMap<>());
        synchronized (lines) {
            lines.put(line.messageId(), line);
        }
    }

    private StoredFile store(String folder, String contentType, byte[] bytes) {
        int n = fileIds.incrementAndGet();
        String ext = contentType == null ? "bin" : contentType.contains("jpeg") ? "jpg" : contentType.contains("png")
                ? "png" : contentType.contains("mp4") ? "mp4" : contentType.contains("mpeg") ? "mp3" : "bin";
        StoredFile f = new StoredFile("AgAC" + botId + "x" + n + "x" + Long.toHexString(System.nanoTime()),
                "AQAD" + n, folder + "/file_" + n + "." + ext, contentType, bytes);
        files.put(f.fileId(), f);
        filesByPath.put(f.path(), f);
        return f;
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

    /** True while the update is not confirmed: no getUpdates has yet asked for an offset past it. */
    public boolean unconfirmed(int updateId) {
        synchronized (updatesLock) {
            return pending.stream().anyMatch(u -> u.updateId() == updateId);
        }
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
        webhookUrl = null;
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
            if (path.startsWith("/file/bot")) {
                downloadFile(ex, path);
                return;
            }
            if (path.startsWith("/media/")) {
                // the emulator's own view of a file (the sandbox page shows what the bot uploaded)
                StoredFile f = files.get(path.substring("/media/".length()));
                if (f == null) {
                    error(ex, 404, "Not Found", null);
                } else {
                    Http.bytes(ex, 200, f.contentType() == null ? "application/octet-stream" : f.contentType(),
                            f.bytes());
                }
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
            Http.Form form = Http.form(ex);
            Map<String, String> fields = form.fields();
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
                case "getupdates" -> {
                    if (webhookUrl != null) {
                        error(ex, 409, "Conflict: can't use getUpdates method while webhook is active; use"
                                + " deleteWebhook to delete the webhook first", null);
                    } else {
                        getUpdates(ex, fields);
                    }
                }
                case "sendmessage" -> send(ex, "sendMessage", form, "text", null);
                case "sendphoto" -> send(ex, "sendPhoto", form, "caption", "photo");
                case "sendvideo" -> send(ex, "sendVideo", form, "caption", "video");
                case "sendaudio" -> send(ex, "sendAudio", form, "caption", "audio");
                case "senddocument" -> send(ex, "sendDocument", form, "caption", "document");
                case "sendanimation" -> send(ex, "sendAnimation", form, "caption", "animation");
                case "sendmediagroup" -> sendMediaGroup(ex, form);
                case "editmessagetext" -> edit(ex, "editMessageText", fields);
                case "editmessagecaption" -> edit(ex, "editMessageCaption", fields);
                case "editmessagereplymarkup" -> edit(ex, "editMessageReplyMarkup", fields);
                case "deletemessage" -> deleteMessage(ex, fields);
                case "answercallbackquery" -> answerCallbackQuery(ex, fields);
                case "setmycommands" -> {
                    commands.put(fields.getOrDefault("language_code", ""), Http.JSON.readTree(
                            fields.getOrDefault("commands", "[]")));
                    ok(ex, true);
                }
                case "getmycommands" -> ok(ex, commands.getOrDefault(fields.getOrDefault("language_code", ""),
                        List.of()));
                case "setwebhook" -> setWebhook(ex, fields);
                case "deletewebhook" -> {
                    stopWebhook();
                    if (Boolean.parseBoolean(fields.getOrDefault("drop_pending_updates", "false"))) {
                        synchronized (updatesLock) {
                            pending.clear();
                        }
                    }
                    ok(ex, true);
                }
                case "getwebhookinfo" -> {
                    Map<String, Object> info = new LinkedHashMap<>();
                    info.put("url", webhookUrl == null ? "" : webhookUrl);
                    info.put("has_custom_certificate", false);
                    synchronized (updatesLock) {
                        info.put("pending_update_count", pending.size());
                    }
                    ok(ex, info);
                }
                case "sendinvoice" -> sendInvoice(ex, fields);
                case "answerprecheckoutquery" -> answerPreCheckoutQuery(ex, fields);
                case "refundstarpayment" -> refundStarPayment(ex, fields);
                case "getfile" -> getFile(ex, fields);
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

    /** Bot API limits on sent files (telegram.md D3): by URL 5 MB photos / 20 MB others; uploads 10 / 50 MB. */
    private static final long PHOTO_BY_URL = 5L << 20;
    private static final long OTHER_BY_URL = 20L << 20;
    private static final long PHOTO_UPLOAD = 10L << 20;
    private static final long OTHER_UPLOAD = 50L << 20;

    /** Where a media field points: the URL the emulator shows it at, or why Telegram refuses it. */
    private record Media(String url, int errorCode, String error) {
        static Media refused(int code, String error) {
            return new Media(null, code, error);
        }
    }

    private void send(HttpExchange ex, String method, Http.Form form, String textField, String mediaField)
            throws IOException {
        Map<String, String> fields = form.fields();
        if (sendLatencyMs > 0) {
            // on this request's own virtual thread, like a slow server
            try {
                Thread.sleep(sendLatencyMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Long chatId = refusedChat(ex, fields);
        if (chatId == null) {
            return;
        }
        String text = fields.get(textField);
        if ("sendMessage".equals(method) && (text == null || text.isBlank())) {
            error(ex, 400, "Bad Request: message text is empty", null);
            return;
        }
        String textProblem = textProblem(text, fields.get("parse_mode"), mediaField == null ? 4096 : 1024);
        if (textProblem != null) {
            error(ex, 400, textProblem, null);
            return;
        }
        String markup = fields.get("reply_markup");
        String markupProblem = markupProblem(markup);
        if (markupProblem != null) {
            error(ex, 400, markupProblem, null);
            return;
        }
        String mediaUrl = null;
        if (mediaField != null) {
            Media media = media(mediaField, fields.get(mediaField), form.files(), mediaField.equals("photo"));
            if (media.url() == null) {
                error(ex, media.errorCode(), media.error(), null);
                return;
            }
            mediaUrl = media.url();
        }
        int messageId = messageIds.incrementAndGet();
        long now = System.currentTimeMillis();
        sent.add(new Sent(messageId, method, chatId, text, mediaUrl, now, markup));
        addLine(chatId, new Line(messageId, true, mediaField == null ? "text" : mediaField, text, mediaUrl, markup,
                false, now));
        ok(ex, botMessage(messageId, chatId, method, text));
    }

    /** The chat of a send, or null after answering why it cannot be sent to (no chat, blocked, a scripted failure). */
    private Long refusedChat(HttpExchange ex, Map<String, String> fields) throws IOException {
        String chat = fields.get("chat_id");
        if (chat == null || chat.isBlank()) {
            error(ex, 400, "Bad Request: chat_id is empty", null);
            return null;
        }
        long chatId = Long.parseLong(chat.trim());
        if (blocked.contains(chatId)) {
            error(ex, 403, "Forbidden: bot was blocked by the user", null);
            return null;
        }
        Deque<Failure> queue = failures.get(chatId);
        Failure f = queue == null ? null : queue.pollFirst();
        if (f != null) {
            error(ex, f.errorCode(), f.description(), f.retryAfter());
            return null;
        }
        return chatId;
    }

    private Map<String, Object> botMessage(int messageId, long chatId, String method, String text) {
        Map<String, Object> message = new LinkedHashMap<>();
        message.put("message_id", messageId);
        message.put("date", System.currentTimeMillis() / 1000);
        message.put("chat", Map.of("id", chatId, "type", "private"));
        message.put("from", Map.of("id", botId, "is_bot", true, "first_name", "KIE Pipeline"));
        if (text != null) {
            message.put("sendMessage".equals(method) || method.startsWith("edit") ? "text" : "caption", text);
        }
        return message;
    }

    /**
     * A media field as Telegram reads it: an http(s) URL it downloads (within the by-URL limit), {@code attach://name}
     * or a file part (an upload, within the upload limit), or the file_id of a file Telegram already has.
     */
    private Media media(String field, String value, Map<String, Http.Upload> uploads, boolean photo) {
        Http.Upload upload = uploads.get(field);
        if (value != null && value.startsWith("attach://")) {
            upload = uploads.get(value.substring("attach://".length()));
        }
        if (upload != null) {
            if (upload.bytes().length > (photo ? PHOTO_UPLOAD : OTHER_UPLOAD)) {
                return Media.refused(413, "Request Entity Too Large");
            }
            StoredFile f = store("uploads", upload.contentType(), upload.bytes());
            return new Media(baseUrl() + "/media/" + f.fileId(), 0, null);
        }
        if (value == null || value.isBlank()) {
            return Media.refused(400, "Bad Request: there is no " + field + " in the request");
        }
        if (value.startsWith("http")) {
            long size = fetchedSize(value);
            if (size < 0) {
                return Media.refused(400, "Bad Request: wrong file identifier/HTTP URL specified");
            }
            if (size > (photo ? PHOTO_BY_URL : OTHER_BY_URL)) {
                return Media.refused(400, "Bad Request: failed to get HTTP URL content");
            }
            return new Media(value, 0, null);
        }
        StoredFile known = files.get(value);
        return known == null ? Media.refused(400, "Bad Request: wrong file identifier/HTTP URL specified")
                : new Media(baseUrl() + "/media/" + known.fileId(), 0, null);
    }

    /**
     * Telegram's checks of a text with {@code parse_mode=HTML}: only its tags, closed in order, and only the entities
     * {@code &lt; &gt; &amp; &quot;} and numeric ones; a user's unescaped {@code <} or {@code &} is refused. And its
     * length after parsing (4096 for a message, 1024 for a caption).
     */
    static String textProblem(String text, String parseMode, int maxLength) {
        if (text == null) {
            return null;
        }
        String plain = text;
        if ("HTML".equalsIgnoreCase(parseMode)) {
            StringBuilder out = new StringBuilder();
            Deque<String> open = new ArrayDeque<>();
            int i = 0;
            while (i < text.length()) {
                char c = text.charAt(i);
                if (c == '<') {
                    int close = text.indexOf('>', i);
                    if (close < 0) {
                        return "Bad Request: can't parse entities: Unclosed start tag at byte offset " + i;
                    }
                    String tag = text.substring(i + 1, close).trim();
                    boolean closing = tag.startsWith("/");
                    String name = (closing ? tag.substring(1) : tag).split("[\\s=]", 2)[0].toLowerCase(Locale.ROOT);
                    if (!HTML_TAGS.contains(name)) {
                        return "Bad Request: can't parse entities: Unsupported start tag \"" + name
                                + "\" at byte offset " + i;
                    }
                    if (closing) {
                        if (open.isEmpty() || !open.pop().equals(name)) {
                            return "Bad Request: can't parse entities: Unmatched end tag at byte offset " + i;
                        }
                    } else {
                        open.push(name);
                    }
                    i = close + 1;
                } else if (c == '&') {
                    int semi = text.indexOf(';', i);
                    String entity = semi < 0 ? "" : text.substring(i, semi + 1);
                    if (!entity.matches("&(lt|gt|amp|quot|#\\d{1,7}|#x[0-9a-fA-F]{1,6});")) {
                        return "Bad Request: can't parse entities: Character '&' is reserved and must be escaped"
                                + " at byte offset " + i;
                    }
                    out.append('x');
                    i = semi + 1;
                } else {
                    out.append(c);
                    i++;
                }
            }
            if (!open.isEmpty()) {
                return "Bad Request: can't parse entities: Can't find end tag corresponding to start tag \""
                        + open.peek() + "\"";
            }
            plain = out.toString();
        }
        if (plain.codePointCount(0, plain.length()) > maxLength) {
            return maxLength == 1024 ? "Bad Request: message caption is too long" : "Bad Request: message is too long";
        }
        return null;
    }

    private static final Set<String> HTML_TAGS = Set.of("b", "strong", "i", "em", "u", "ins", "s", "strike", "del",
            "span", "tg-spoiler", "a", "code", "pre", "blockquote", "tg-emoji");

    /** An inline keyboard's buttons: at most 100, each with a text and callback_data of 1–64 bytes (or a url). */
    static String markupProblem(String markup) {
        if (markup == null || markup.isBlank()) {
            return null;
        }
        JsonNode node;
        try {
            node = Http.JSON.readTree(markup);
        } catch (RuntimeException e) {
            return "Bad Request: can't parse reply keyboard markup JSON object";
        }
        JsonNode rows = node.path("inline_keyboard");
        if (!node.has("inline_keyboard")) {
            return null; // a reply keyboard, or remove_keyboard: not checked
        }
        int buttons = 0;
        for (JsonNode row : rows) {
            for (JsonNode button : row) {
                buttons++;
                if (button.path("text").asString("").isEmpty()) {
                    return "Bad Request: text buttons are unallowed in the inline keyboard";
                }
                if (button.has("callback_data")) {
                    int bytes = button.get("callback_data").asString("").getBytes(StandardCharsets.UTF_8).length;
                    if (bytes < 1 || bytes > 64) {
                        return "Bad Request: BUTTON_DATA_INVALID";
                    }
                } else if (!button.has("url") && !button.has("pay")) {
                    return "Bad Request: can't find field \"callback_data\"";
                }
            }
        }
        return buttons > 100 ? "Bad Request: reply markup is too long" : null;
    }

    private void sendMediaGroup(HttpExchange ex, Http.Form form) throws IOException {
        Long chatId = refusedChat(ex, form.fields());
        if (chatId == null) {
            return;
        }
        JsonNode media;
        try {
            media = Http.JSON.readTree(form.fields().getOrDefault("media", ""));
        } catch (RuntimeException e) {
            error(ex, 400, "Bad Request: can't parse media JSON object", null);
            return;
        }
        if (!media.isArray() || media.size() < 2 || media.size() > 10) {
            error(ex, 400, "Bad Request: wrong number of media in the group: 2 to 10", null);
            return;
        }
        List<String> urls = new ArrayList<>();
        for (JsonNode item : media) {
            String type = item.path("type").asString("");
            Media m = media(type, item.path("media").asString(null), form.files(), type.equals("photo"));
            if (m.url() == null) {
                error(ex, m.errorCode(), m.error(), null);
                return;
            }
            String captionProblem = textProblem(item.path("caption").asString(null),
                    item.path("parse_mode").asString(null), 1024);
            if (captionProblem != null) {
                error(ex, 400, captionProblem, null);
                return;
            }
            urls.add(m.url());
        }
        List<Map<String, Object>> messages = new ArrayList<>();
        long now = System.currentTimeMillis();
        int i = 0;
        for (JsonNode item : media) {
            int messageId = messageIds.incrementAndGet();
            String caption = item.path("caption").asString(null);
            sent.add(new Sent(messageId, "sendMediaGroup", chatId, caption, urls.get(i), now, null));
            addLine(chatId, new Line(messageId, true, item.path("type").asString(), caption, urls.get(i), null, false,
                    now));
            messages.add(botMessage(messageId, chatId, "sendMediaGroup", caption));
            i++;
        }
        ok(ex, messages);
    }

    private void edit(HttpExchange ex, String method, Map<String, String> fields) throws IOException {
        long chatId = Long.parseLong(fields.getOrDefault("chat_id", "0").trim());
        int messageId = Integer.parseInt(fields.getOrDefault("message_id", "0").trim());
        Map<Integer, Line> lines = chats.get(chatId);
        Line line = lines == null ? null : lines.get(messageId);
        if (line == null || !line.fromBot()) {
            error(ex, 400, "Bad Request: message to edit not found", null);
            return;
        }
        String text = method.equals("editMessageReplyMarkup") ? line.text()
                : fields.get(method.equals("editMessageText") ? "text" : "caption");
        if (method.equals("editMessageText") && (text == null || text.isBlank())) {
            error(ex, 400, "Bad Request: message text is empty", null);
            return;
        }
        String problem = method.equals("editMessageReplyMarkup") ? null
                : textProblem(text, fields.get("parse_mode"), method.equals("editMessageText") ? 4096 : 1024);
        String markup = fields.get("reply_markup");
        if (problem == null) {
            problem = markupProblem(markup);
        }
        if (problem != null) {
            error(ex, 400, problem, null);
            return;
        }
        if (java.util.Objects.equals(text, line.text()) && java.util.Objects.equals(markup, line.replyMarkup())) {
            error(ex, 400, "Bad Request: message is not modified: specified new message content and reply markup are"
                    + " exactly the same as a current content and reply markup of the message", null);
            return;
        }
        long now = System.currentTimeMillis();
        edits.add(new Edit(messageId, method, chatId, text, markup, now));
        addLine(chatId, new Line(messageId, true, line.kind(), text, line.mediaUrl(), markup, true, line.at()));
        ok(ex, botMessage(messageId, chatId, method, text));
    }

    private void deleteMessage(HttpExchange ex, Map<String, String> fields) throws IOException {
        long chatId = Long.parseLong(fields.getOrDefault("chat_id", "0").trim());
        Map<Integer, Line> lines = chats.get(chatId);
        Line removed = null;
        if (lines != null) {
            synchronized (lines) {
                removed = lines.remove(Integer.parseInt(fields.getOrDefault("message_id", "0").trim()));
            }
        }
        if (removed == null) {
            error(ex, 400, "Bad Request: message to delete not found", null);
        } else {
            ok(ex, true);
        }
    }

    private void answerCallbackQuery(HttpExchange ex, Map<String, String> fields) throws IOException {
        String id = fields.getOrDefault("callback_query_id", "");
        // a query is answered once; an unknown or answered one is refused like an expired one
        if (callbackQueries.replace(id, false, true)) {
            callbackAnswers.add(new CallbackAnswer(id, fields.get("text"),
                    Boolean.parseBoolean(fields.getOrDefault("show_alert", "false"))));
            ok(ex, true);
        } else {
            error(ex, 400, "Bad Request: query is too old and response timeout expired or query ID is invalid", null);
        }
    }

    private void sendInvoice(HttpExchange ex, Map<String, String> fields) throws IOException {
        Long chatId = refusedChat(ex, fields);
        if (chatId == null) {
            return;
        }
        String title = fields.getOrDefault("title", "");
        String description = fields.getOrDefault("description", "");
        String payload = fields.getOrDefault("payload", "");
        String currency = fields.getOrDefault("currency", "");
        String provider = fields.getOrDefault("provider_token", "");
        if (title.isEmpty() || title.length() > 32) {
            error(ex, 400, "Bad Request: TITLE_INVALID", null);
            return;
        }
        if (description.isEmpty() || description.length() > 255) {
            error(ex, 400, "Bad Request: DESCRIPTION_INVALID", null);
            return;
        }
        int payloadBytes = payload.getBytes(StandardCharsets.UTF_8).length;
        if (payloadBytes < 1 || payloadBytes > 128) {
            error(ex, 400, "Bad Request: INVOICE_PAYLOAD_INVALID", null);
            return;
        }
        boolean stars = currency.equals("XTR");
        if (stars != provider.isEmpty() || !currency.matches("[A-Z]{3}")) {
            error(ex, 400, stars ? "Bad Request: PAYMENT_PROVIDER_INVALID: Stars take no provider token"
                    : "Bad Request: PAYMENT_PROVIDER_INVALID", null);
            return;
        }
        long total = 0;
        JsonNode prices;
        try {
            prices = Http.JSON.readTree(fields.getOrDefault("prices", "[]"));
        } catch (RuntimeException e) {
            prices = Http.JSON.createArrayNode();
        }
        for (JsonNode price : prices) {
            total += price.path("amount").asLong(0);
        }
        if (prices.isEmpty() || total <= 0 || stars && prices.size() != 1) {
            error(ex, 400, "Bad Request: CURRENCY_TOTAL_AMOUNT_INVALID", null);
            return;
        }
        int messageId = messageIds.incrementAndGet();
        long now = System.currentTimeMillis();
        invoices.put(messageId, new Invoice(messageId, chatId, title, description, payload, currency, total, !stars));
        sent.add(new Sent(messageId, "sendInvoice", chatId, title + "\n" + description, null, now,
                fields.get("reply_markup")));
        addLine(chatId, new Line(messageId, true, "invoice", title + ": " + description + " (" + total + " " + currency
                + ")", null, null, false, now));
        ok(ex, botMessage(messageId, chatId, "sendInvoice", null));
    }

    private void answerPreCheckoutQuery(HttpExchange ex, Map<String, String> fields) throws IOException {
        String id = fields.getOrDefault("pre_checkout_query_id", "");
        boolean accept = Boolean.parseBoolean(fields.getOrDefault("ok", "false"));
        String reason = fields.get("error_message");
        if (!accept && (reason == null || reason.isBlank())) {
            error(ex, 400, "Bad Request: ERROR_MESSAGE_EMPTY", null);
            return;
        }
        synchronized (payments) {
            Payment p = payments.get(id);
            if (p == null || !"WAITING".equals(p.status())) {
                error(ex, 400, "Bad Request: query is too old and response timeout expired or query ID is invalid",
                        null);
                return;
            }
            payments.put(id, accept ? p.with("PAID", null, "stxch_" + botId + "_" + queryIds.incrementAndGet(), false)
                    : p.with("DECLINED", reason, null, false));
            payments.notifyAll();
        }
        ok(ex, true);
    }

    private void refundStarPayment(HttpExchange ex, Map<String, String> fields) throws IOException {
        String charge = fields.getOrDefault("telegram_payment_charge_id", "");
        long userId = Long.parseLong(fields.getOrDefault("user_id", "0").trim());
        synchronized (payments) {
            Payment p = payments.values().stream().filter(x -> charge.equals(x.chargeId())).findFirst().orElse(null);
            if (p == null || p.userId() != userId || !"XTR".equals(p.currency())) {
                error(ex, 400, "Bad Request: CHARGE_NOT_FOUND", null);
                return;
            }
            if (p.refunded()) {
                error(ex, 400, "Bad Request: CHARGE_ALREADY_REFUNDED", null);
                return;
            }
            payments.put(p.preCheckoutQueryId(), p.with(p.status(), p.errorMessage(), p.chargeId(), true));
            int id = updateIds.incrementAndGet();
            Map<String, Object> message = userMessage(userId, userId, null);
            message.put("refunded_payment", Map.of("currency", p.currency(), "total_amount", p.totalAmount(),
                    "invoice_payload", p.payload(), "telegram_payment_charge_id", charge));
            enqueue(new Update(id, Map.of("update_id", id, "message", message)));
            addLine(userId, new Line((Integer) message.get("message_id"), false, "refund",
                    "Refunded " + p.totalAmount() + " " + p.currency(), null, null, false, System.currentTimeMillis()));
        }
        ok(ex, true);
    }

    private void getFile(HttpExchange ex, Map<String, String> fields) throws IOException {
        StoredFile f = files.get(fields.getOrDefault("file_id", ""));
        if (f == null) {
            error(ex, 400, "Bad Request: invalid file_id", null);
            return;
        }
        if (f.bytes().length > OTHER_BY_URL) {
            error(ex, 400, "Bad Request: file is too big", null);
            return;
        }
        ok(ex, Map.of("file_id", f.fileId(), "file_unique_id", f.uniqueId(), "file_size", f.bytes().length,
                "file_path", f.path()));
    }

    /** {@code /file/bot<token>/<file_path>}: a file's bytes, for a bot that knows the token. */
    private void downloadFile(HttpExchange ex, String path) throws IOException {
        String rest = path.substring("/file/bot".length());
        int slash = rest.indexOf('/');
        if (slash < 0 || !rest.substring(0, slash).equals(token)) {
            error(ex, 401, "Unauthorized", null);
            return;
        }
        StoredFile f = filesByPath.get(rest.substring(slash + 1));
        if (f == null) {
            error(ex, 404, "Not Found", null);
            return;
        }
        Http.bytes(ex, 200, f.contentType() == null ? "application/octet-stream" : f.contentType(), f.bytes());
    }

    private void setWebhook(HttpExchange ex, Map<String, String> fields) throws IOException {
        String url = fields.getOrDefault("url", "");
        String secret = fields.get("secret_token");
        if (url.isBlank()) {
            stopWebhook();
            ok(ex, true);
            return;
        }
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            error(ex, 400, "Bad Request: bad webhook: invalid URL", null);
            return;
        }
        boolean local = "127.0.0.1".equals(uri.getHost()) || "localhost".equals(uri.getHost());
        // Telegram wants https; the emulator also takes http on this machine, where the sandbox runs without TLS
        if (!"https".equals(uri.getScheme()) && !(local && "http".equals(uri.getScheme()))) {
            error(ex, 400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook", null);
            return;
        }
        if (secret != null && !secret.matches("[A-Za-z0-9_-]{1,256}")) {
            error(ex, 400, "Bad Request: secret token contains unallowed characters", null);
            return;
        }
        if (Boolean.parseBoolean(fields.getOrDefault("drop_pending_updates", "false"))) {
            synchronized (updatesLock) {
                pending.clear();
            }
        }
        synchronized (this) {
            webhookSecret = secret;
            webhookUrl = url;
            if (webhookThread == null || !webhookThread.isAlive()) {
                webhookThread = Thread.ofVirtual().name("telegram-emulator-webhook").start(this::deliverToWebhook);
            }
        }
        synchronized (updatesLock) {
            updatesLock.notifyAll();
        }
        ok(ex, true);
    }

    private void stopWebhook() {
        webhookUrl = null;
        synchronized (updatesLock) {
            updatesLock.notifyAll();
        }
    }

    /**
     * Like Telegram: each pending update is POSTed to the webhook, in order, with the secret token header; an answer
     * other than 2xx (or none) is retried with a growing pause, and the update stays pending until one is accepted.
     */
    private void deliverToWebhook() {
        long pause = 100;
        while (true) {
            String url = webhookUrl;
            Update next;
            synchronized (updatesLock) {
                if (url == null) {
                    return;
                }
                next = pending.peekFirst();
                if (next == null) {
                    try {
                        updatesLock.wait(1000);
                    } catch (InterruptedException e) {
                        return;
                    }
                    continue;
                }
            }
            boolean accepted;
            try {
                HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(Http.JSON.writeValueAsBytes(next.json())));
                if (webhookSecret != null) {
                    request.header("X-Telegram-Bot-Api-Secret-Token", webhookSecret);
                }
                int status = http.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
                accepted = status >= 200 && status < 300;
            } catch (IOException | RuntimeException e) {
                accepted = false;
            } catch (InterruptedException e) {
                return;
            }
            if (accepted) {
                webhookDeliveries.incrementAndGet();
                synchronized (updatesLock) {
                    pending.remove(next);
                }
                pause = 100;
            } else {
                try {
                    Thread.sleep(pause);
                } catch (InterruptedException e) {
                    return;
                }
                pause = Math.min(pause * 2, 5000);
            }
        }
    }

    /**
     * Telegram downloads media sent by URL; so does the emulator, so a dead result URL fails as it would. Returns the
     * file's size, or -1 when it cannot be fetched.
     */
    private long fetchedSize(String url) {
        try {
            HttpResponse<java.io.InputStream> r = http.send(HttpRequest.newBuilder(URI.create(url))
                    .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
            try (java.io.InputStream in = r.body()) {
                if (r.statusCode() != 200) {
                    return -1;
                }
                // counted up to just past the largest limit, never kept
                long size = 0;
                byte[] buffer = new byte[65536];
                int n;
                while ((n = in.read(buffer)) > 0 && size <= OTHER_BY_URL) {
                    size += n;
                }
                return size;
            }
        } catch (IOException | IllegalArgumentException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private void control(HttpExchange ex, String path) throws IOException {
        if (path.equals("/control/updates") && "POST".equals(ex.getRequestMethod())) {
            JsonNode b = Http.jsonBody(ex);
            long userId = b.path("userId").asLong();
            int id = userSays(userId, b.path("chatId").asLong(userId), b.path("text").asString(""),
                    b.path("languageCode").asString(null));
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
        } else if (path.equals("/control/tap") && "POST".equals(ex.getRequestMethod())) {
            // {"userId", "chatId"?, "messageId", "data"}: the user taps a button
            JsonNode b = Http.jsonBody(ex);
            long userId = b.path("userId").asLong();
            Http.json(ex, 200, Map.of("updateId", userTaps(userId, b.path("chatId").asLong(userId),
                    b.path("messageId").asInt(), b.path("data").asString(""))));
        } else if (path.equals("/control/photo") && "POST".equals(ex.getRequestMethod())) {
            // {"userId", "chatId"?, "caption"?, "base64"}: the user sends a photo
            JsonNode b = Http.jsonBody(ex);
            long userId = b.path("userId").asLong();
            byte[] jpeg = java.util.Base64.getDecoder().decode(b.path("base64").asString(""));
            Http.json(ex, 200, Map.of("updateId", userSendsPhoto(userId, b.path("chatId").asLong(userId), jpeg,
                    b.path("caption").asString(null))));
        } else if (path.equals("/control/pay") && "POST".equals(ex.getRequestMethod())) {
            // {"userId", "invoiceMessageId"}: the user pays an invoice
            JsonNode b = Http.jsonBody(ex);
            try {
                Http.json(ex, 200, Map.of("preCheckoutQueryId", userPays(b.path("userId").asLong(),
                        b.path("invoiceMessageId").asInt())));
            } catch (IllegalArgumentException e) {
                Http.json(ex, 404, Map.of("error", e.getMessage()));
            }
        } else if (path.equals("/control/chat")) {
            Http.json(ex, 200, chat(Long.parseLong(Http.query(ex).getOrDefault("chatId", "0"))));
        } else if (path.equals("/control/payments")) {
            Http.json(ex, 200, payments());
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
