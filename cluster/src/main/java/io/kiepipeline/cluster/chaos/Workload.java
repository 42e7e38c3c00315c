package io.kiepipeline.cluster.chaos;

import io.kiepipeline.cluster.chaos.Clients.Reply;
import io.kiepipeline.cluster.chaos.Plan.Hostile;
import io.kiepipeline.cluster.chaos.Plan.Job;
import java.util.LinkedHashMap;
import java.util.List;
import tools.jackson.databind.JsonNode;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/** Sends the planned workload the way clients do: retrying what failed for lack of an answer, on another gateway. */
final class Workload {
    /** How long a client keeps retrying one request through outages. */
    private static final long RETRY_FOR_MS = 180_000;

    private final ChaosRun run;
    private final Plan plan;
    private final Endpoints ep;
    private final Clients http;

    private final Map<String, Map<String, Object>> examples;

    Workload(ChaosRun run, Plan plan, Endpoints ep, Clients http, Map<String, Map<String, Object>> examples) {
        this.examples = examples;
        this.run = run;
        this.plan = plan;
        this.ep = ep;
        this.http = http;
    }

    /** One emulator rule per job, matched on the job's marker. */
    void prepareKieRules() {
        for (Job j : plan.jobs()) {
            Map<String, Object> rule = new LinkedHashMap<>();
            rule.put("promptContains", j.marker());
            switch (j.kie()) {
                case ACCEPT -> {
                    continue;
                }
                case SLOW -> rule.put("delayMs", 15_000);
                case FAIL -> {
                    rule.put("fail", true);
                    rule.put("failCode", "500");
                    rule.put("failMsg", "chaos: the model failed");
                }
                case REJECT_IN_ENVELOPE -> rule.put("createTask",
                        List.of(Map.of("httpStatus", 200, "code", 422, "msg", "chaos: invalid parameters")));
                case RATE_LIMITED_ONCE -> rule.put("createTask",
                        List.of(Map.of("httpStatus", 429, "code", 429, "msg", "Rate limit exceeded")));
                case SERVER_ERROR_ONCE -> rule.put("createTask",
                        List.of(Map.of("httpStatus", 500, "code", 500, "msg", "Server Error")));
                case DUPLICATE_CALLBACK -> rule.put("duplicateCallback", true);
                case CALLBACK_BEFORE_ACCEPT -> rule.put("callbackBeforeAccept", true);
                case NO_CALLBACK -> rule.put("noCallback", true);
                case ANSWER_AFTER_CLIENT_TIMEOUT -> {
                    rule.put("afterCreate", "answer-late");
                    rule.put("lateAnswerMs", 10_000);
                }
                case SERVER_ERROR_AFTER_CREATE -> rule.put("afterCreate", "server-error");
            }
            Reply r = http.post(ep.kie() + "/control/rules", http.json(rule));
            if (r.status() != 200) {
                throw new IllegalStateException("the KIE emulator refused a rule: " + r);
            }
        }
    }

    void deposit(Plan.Deposit d) {
        Map<String, Object> body = Map.of("userId", d.userId(), "amountMinor", d.amountMinor(),
                "reference", d.reference());
        // spread over the gateways like a load balancer would (every first try on one gateway made the opening burst
        // of top-ups one gateway's alone), then the next gateway on each retry
        int first = Math.floorMod(Long.hashCode(d.userId()) + d.reference().length(), 1 << 16);
        Reply r = retrying(i -> http.post(ep.gateway(first + i) + "/api/v1/admin/deposits", ep.admin(),
                http.json(body)));
        if (r.is2xx()) {
            run.depositsAccepted.put(d.reference(), d.amountMinor());
        } else {
            run.depositsNotAccepted.add(d.reference() + " " + r.status() + " " + r.body());
        }
    }

    void job(Job j) {
        // on an API job's chat the result is the first send, so the failure hits the delivery itself; a Telegram
        // job's chat first gets the bot's own answer, which would use it up
        if (j.channel() == Plan.Channel.API && j.telegram() != Plan.TelegramBehaviour.ANSWER) {
            boolean tooMany = j.telegram() == Plan.TelegramBehaviour.TOO_MANY_REQUESTS_ONCE;
            http.post(ep.telegram() + "/control/chats/" + j.chatId() + "/fail", http.json(tooMany
                    ? Map.of("errorCode", 429, "description", "Too Many Requests: retry after 2", "retryAfter", 2)
                    : Map.of("errorCode", 500, "description", "Internal Server Error")));
        }
        switch (j.channel()) {
            case API -> apiJob(j);
            case TELEGRAM -> telegramJob(j);
        }
    }

    private void apiJob(Job j) {
        // the model's own example (every field it needs, valid), marked in its prompt
        Map<String, Object> input = new LinkedHashMap<>(examples.getOrDefault(j.model(), Map.of()));
        input.put("prompt", j.prompt());
        String body = http.json(Map.of("userId", j.userId(), "chatId", j.chatId(), "model", j.model(),
                "input", input));
        Map<String, String> headers = new LinkedHashMap<>(ep.api());
        headers.put("Idempotency-Key", "chaos-" + plan.seed() + "-" + j.n());
        Reply r = retrying(i -> http.post(ep.gateway(i + j.n()) + "/api/v1/generations", headers, body));
        if (!r.is2xx()) {
            run.notAccepted.put(j.n(), r.status() + " " + r.body());
            return;
        }
        String jobId = r.json().path("jobId").asString();
        run.jobIds.put(j.n(), jobId);
        if (j.twice()) {
            Reply again = retrying(i -> http.post(ep.gateway(i + j.n() + 1) + "/api/v1/generations", headers, body));
            if (!again.is2xx() || !jobId.equals(again.json().path("jobId").asString())) {
                run.idempotencyMismatches.incrementAndGet();
                run.note("job " + j.n() + ": the same request again got " + again.status() + " " + again.body());
            }
        }
    }

    /**
     * A person in the chat: {@code /generate <model> <prompt>}, then through the bot's wizard as its buttons offer
     * ("use defaults", then "Confirm" under the quoted price). The job is accepted when Telegram took the tap on
     * "Confirm"; a bot that declines first (not enough balance, KIE unavailable) is an answer too.
     */
    private void telegramJob(Job j) {
        String text = "/generate " + j.model() + " " + j.prompt();
        Reply r = retrying(i -> http.post(ep.telegram() + "/control/updates",
                http.json(Map.of("userId", j.userId(), "chatId", j.chatId(), "text", text))));
        if (r.status() != 200) {
            run.notAccepted.put(j.n(), "telegram emulator: " + r.status());
            return;
        }
        run.telegramUpdates.incrementAndGet();
        java.util.Set<String> tapped = new java.util.HashSet<>();
        long deadline = System.currentTimeMillis() + RETRY_FOR_MS;
        String last = "";
        while (System.currentTimeMillis() < deadline) {
            ChaosRun.sleep(500);
            Reply chat = http.get(ep.telegram() + "/control/chat?chatId=" + j.chatId(), Map.of());
            if (chat.status() != 200) {
                continue;
            }
            List<JsonNode> lines = Clients.list(chat.json()).stream().filter(l -> l.path("fromBot").asBoolean())
                    .toList();
            if (lines.isEmpty()) {
                continue;
            }
            JsonNode wizard = lines.getLast();
            last = wizard.path("text").asString("");
            String markup = wizard.path("replyMarkup").asString("");
            java.util.regex.Matcher confirm = CONFIRM.matcher(markup);
            java.util.regex.Matcher defaults = DEFAULTS.matcher(markup);
            java.util.regex.Matcher choice = CHOICE.matcher(markup);
            if (confirm.find() && tapped.add(confirm.group(1))) {
                String data = confirm.group(1);
                Reply tap = retrying(i -> http.post(ep.telegram() + "/control/tap", http.json(Map.of("userId",
                        j.userId(), "chatId", j.chatId(), "messageId", wizard.path("messageId").asInt(), "data",
                        data))));
                if (tap.status() != 200) {
                    run.notAccepted.put(j.n(), "telegram emulator, the tap on Confirm: " + tap.status());
                    return;
                }
                run.telegramUpdates.incrementAndGet();
                int updateId = tap.json().path("updateId").asInt();
                run.telegramAccepted.put(j.n(), updateId);
                if (j.twice()) {
                    // Telegram sends an update again when the bot did not confirm it (a poller that died)
                    ChaosRun.sleep(3_000);
                    Reply again = retrying(i -> http.post(ep.telegram() + "/control/redeliver",
                            http.json(Map.of("updateId", updateId))));
                    if (again.status() == 200) {
                        run.telegramUpdates.incrementAndGet();
                    }
                }
                return;
            }
            if (defaults.find() && tapped.add(defaults.group(1))) {
                String data = defaults.group(1);
                retrying(i -> http.post(ep.telegram() + "/control/tap", http.json(Map.of("userId", j.userId(),
                        "chatId", j.chatId(), "messageId", wizard.path("messageId").asInt(), "data", data))));
                run.telegramUpdates.incrementAndGet();
                continue;
            }
            if (choice.find() && tapped.add(wizard.path("messageId").asInt() + "/" + last)) {
                // a required choice without a default: the first one offered
                String data = choice.group(1);
                retrying(i -> http.post(ep.telegram() + "/control/tap", http.json(Map.of("userId", j.userId(),
                        "chatId", j.chatId(), "messageId", wizard.path("messageId").asInt(), "data", data))));
                run.telegramUpdates.incrementAndGet();
                continue;
            }
            if (last.contains("Not enough") || last.contains("temporarily unavailable")) {
                run.telegramDeclined.put(j.n(), last.lines().reduce((a, b) -> b).orElse(last));
                return;
            }
        }
        run.notAccepted.put(j.n(), "the bot offered no confirmation within " + RETRY_FOR_MS / 1000 + " s; its last"
                + " message: " + last);
    }

    private static final java.util.regex.Pattern CONFIRM = java.util.regex.Pattern.compile(
            "\\\"callback_data\\\":\\\"(ok:[^\\\"]+)\\\"");
    private static final java.util.regex.Pattern CHOICE = java.util.regex.Pattern.compile(
            "\\\"callback_data\\\":\\\"(c:[^\\\"]+)\\\"");
    private static final java.util.regex.Pattern DEFAULTS = java.util.regex.Pattern.compile(
            "\\\"callback_data\\\":\\\"(d:[^\\\"]+)\\\"");

    void hostile(Hostile h) {
        long at = System.currentTimeMillis();
        String gw = ep.gateway(h.n());
        Reply r = switch (h.kind()) {
            case FORGED_CALLBACK -> http.post(gw + "/kie/callback/" + UUID.randomUUID() + "?token=forged-" + h.n(),
                    callbackBody());
            case CALLBACK_WITHOUT_TOKEN -> http.post(gw + "/kie/callback/" + UUID.randomUUID(), callbackBody());
            case MALFORMED_CALLBACK -> http.post(gw + "/kie/callback/" + UUID.randomUUID() + "?token=x", "{{{" + h.n());
            case CALLBACK_FOR_NO_JOB -> http.post(gw + "/kie/callback/not-a-job-" + h.n() + "?token=x", callbackBody());
            case API_NOT_JSON -> http.post(gw + "/api/v1/generations", withKey(h), "not json " + h.n());
            case API_MISSING_FIELDS -> http.post(gw + "/api/v1/generations", withKey(h), "{\"userId\":5}");
            case API_UNKNOWN_MODEL -> http.post(gw + "/api/v1/generations", withKey(h),
                    "{\"userId\":-3,\"chatId\":1,\"model\":\"unknown/hostile\",\"input\":{\"prompt\":\"x\"}}");
            case API_OVERSIZED -> http.post(gw + "/api/v1/generations", withKey(h),
                    "{\"userId\":1,\"chatId\":1,\"model\":\"m\",\"input\":{\"prompt\":\"" + "x".repeat(2_100_000)
                            + "\"}}");
            case API_WRONG_TOKEN -> http.post(gw + "/api/v1/admin/deposits",
                    Map.of("Authorization", "Bearer wrong-" + h.n()),
                    "{\"userId\":1,\"amountMinor\":100000,\"reference\":\"hostile-" + h.n() + "\"}");
            case API_NEGATIVE_DEPOSIT -> http.post(gw + "/api/v1/admin/deposits", ep.admin(),
                    "{\"userId\":1,\"amountMinor\":-100000,\"reference\":\"hostile-" + h.n() + "\"}");
            case TELEGRAM_GARBAGE -> telegramGarbage(h);
            case POISON_RECORD -> poison(h);
        };
        run.hostileOutcomes.add(new ChaosRun.HostileOutcome(h.kind(), at, r.status(),
                r.body() == null ? "" : r.body().substring(0, Math.min(200, r.body().length()))));
    }

    private Map<String, String> withKey(Hostile h) {
        Map<String, String> headers = new LinkedHashMap<>(ep.api());
        headers.put("Idempotency-Key", "hostile-" + plan.seed() + "-" + h.n());
        return headers;
    }

    private String callbackBody() {
        return "{\"code\":200,\"msg\":\"Playground task completed successfully.\",\"data\":{\"taskId\":\"task_forged\","
                + "\"state\":\"success\",\"resultJson\":\"{\\\"resultUrls\\\":[\\\"https://evil.example/x.png\\\"]}\"}}";
    }

    private static final List<String> GARBAGE = List.of("{\"foo\":1}", "{\"message\":{\"text\":null}}",
            "{\"message\":{\"chat\":{\"id\":\"not a number\"},\"text\":\"/generate\"}}",
            "{\"edited_message\":{\"message_id\":1,\"chat\":{\"id\":1,\"type\":\"private\"},\"date\":1,\"text\":\"hi\"}}",
            "{\"callback_query\":{\"id\":\"1\",\"data\":\"zzz\"}}", "not json at all",
            "{\"message\":{\"message_id\":1,\"from\":{\"id\":-5,\"is_bot\":false,\"first_name\":\"x\"},"
                    + "\"chat\":{\"id\":-5,\"type\":\"private\"},\"date\":1,\"text\":\"/generate unknown/model x\"}}",
            "{\"message\":{\"message_id\":1,\"from\":{\"id\":5,\"is_bot\":true,\"first_name\":\"x\"},"
                    + "\"chat\":{\"id\":5,\"type\":\"private\"},\"date\":1,\"text\":\"/generate " + "y".repeat(20_000)
                    + "\"}}",
            "[[[[[[[[[[]]]]]]]]]]", "{\"message\":{\"photo\":[{\"file_id\":\"f\"}],\"date\":\"yesterday\"}}");

    private Reply telegramGarbage(Hostile h) {
        // while Telegram itself is unreachable the update waits on its side: sent again until it takes it
        Reply r = retrying(i -> http.post(ep.telegram() + "/control/raw-update", GARBAGE.get(h.n() % GARBAGE.size())));
        // status 0: queued; what counts is what the bot does with it (the audit checks that nothing changed)
        return new Reply(r.status() == 200 ? 0 : r.status(), "telegram garbage update queued");
    }

    private Reply poison(Hostile h) {
        Properties p = new Properties();
        p.put("bootstrap.servers", ep.kafka());
        p.put("key.serializer", StringSerializer.class.getName());
        p.put("value.serializer", StringSerializer.class.getName());
        p.put("acks", "all");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            producer.send(new ProducerRecord<>("ledger.commands", "chaos-poison-" + h.n(), "{not an event"))
                    .get();
            return new Reply(0, "poison record on ledger.commands");
        } catch (Exception e) {
            return new Reply(-1, e.toString());
        }
    }

    /** Sends until it gets an answer that is not a failure of the system (no answer, 5xx, 429), for a while. */
    private Reply retrying(java.util.function.IntFunction<Reply> send) {
        long deadline = System.currentTimeMillis() + RETRY_FOR_MS;
        int attempt = 0;
        Reply r;
        while (true) {
            r = send.apply(attempt);
            if (!(r.is5xxOrNone() || r.status() == 429) || System.currentTimeMillis() > deadline) {
                return r;
            }
            attempt++;
            ChaosRun.sleep(Math.min(5_000, 250L * attempt));
        }
    }
}
