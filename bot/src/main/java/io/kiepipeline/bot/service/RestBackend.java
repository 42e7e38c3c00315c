package io.kiepipeline.bot.service;

import io.kiepipeline.bot.conversation.Backend;
import io.kiepipeline.bot.conversation.BotModel;
import io.kiepipeline.schemas.Language;
import io.kiepipeline.schemas.MessageCodec;
import io.kiepipeline.platform.http.ServiceInstances;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.client.RestClient;
import tools.jackson.databind.JsonNode;

/**
 * The conversation's {@link Backend} over the orchestrator's and the ledger's internal APIs. Every call is bounded by
 * a timeout and made before the update's transaction opens. The catalog is kept for {@code refresh} and, when the
 * orchestrator cannot be reached, the last copy is used; only a bot that never read it answers "unavailable".
 */
public class RestBackend implements Backend {
    private static final Logger log = LoggerFactory.getLogger(RestBackend.class);

    private final ServiceInstances orchestrator;
    private final ServiceInstances ledger;
    private final Duration refresh;
    private final Clock clock;
    private volatile List<BotModel> models;
    private volatile Instant modelsReadAt = Instant.MIN;
    private volatile Instant retryCatalogAt = Instant.MIN;
    /** After the catalog could not be read, how long the last copy (or "unavailable") is answered without asking. */
    static final Duration CATALOG_RETRY = Duration.ofSeconds(10);

    public RestBackend(String orchestratorUrls, String ledgerUrls, Duration timeout, Duration refresh, Clock clock) {
        this.orchestrator = new ServiceInstances(RestClient.builder(), orchestratorUrls, Duration.ofSeconds(2),
                timeout);
        this.ledger = new ServiceInstances(RestClient.builder(), ledgerUrls, Duration.ofSeconds(2), timeout);
        this.refresh = refresh;
        this.clock = clock;
    }

    @Override
    public List<BotModel> models() {
        List<BotModel> known = models;
        Instant now = clock.instant();
        if (known != null && (now.isBefore(modelsReadAt.plus(refresh)) || now.isBefore(retryCatalogAt))) {
            return known;
        }
        try {
            JsonNode served = orchestrator.read(c -> c.get().uri("/internal/models").retrieve()
                    .body(JsonNode.class));
            List<BotModel> read = new ArrayList<>();
            for (JsonNode m : served) {
                try {
                    BotModel model = BotModel.fromCatalog(m, m.path("fieldLabels"));
                    if (!fitsButtons(model)) {
                        throw new IllegalArgumentException("its id or a field name is too long for Telegram's 64"
                                + " bytes of button data");
                    }
                    read.add(model);
                } catch (RuntimeException e) {
                    // one model the bot cannot present must not hide the others
                    log.atWarn().addKeyValue("model", m.path("id").asString("")).addKeyValue("reason",
                            e.getMessage()).log("bot.model-skipped");
                }
            }
            models = List.copyOf(read);
            modelsReadAt = clock.instant();
            return models;
        } catch (RuntimeException e) {
            // one update reads the catalog several times: after a failure, the next read waits, whatever asks
            retryCatalogAt = clock.instant().plus(CATALOG_RETRY);
            if (known != null) {
                log.atWarn().addKeyValue("reason", e.getMessage()).log("bot.catalog-stale; using the last copy");
                return known;
            }
            throw new Unavailable("the catalog cannot be read", e);
        }
    }

    /** The admin's figures of the last hours (orchestrator). */
    public JsonNode stats(int hours) {
        return orchestrator.read(c -> c.get().uri("/internal/stats?hours={h}", hours).retrieve().body(JsonNode.class));
    }

    /**
     * Switches a model on or off, free or paid (null: unchanged), at the orchestrator; the same switch again changes
     * nothing. Returns the orchestrator's answer; a model it does not know is a 404 it throws.
     */
    public JsonNode switchModel(String modelId, Boolean enabled, Boolean free, String by) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("model", modelId);
        body.put("enabled", enabled);
        body.put("free", free);
        body.put("by", by);
        JsonNode answer = orchestrator.read(c -> c.post().uri("/internal/admin/model-switches")
                .header("Content-Type", "application/json").body(MessageCodec.mapper().writeValueAsString(body))
                .retrieve().body(JsonNode.class));
        modelsReadAt = Instant.MIN; // the menus show the switch at once
        return answer;
    }

    /** Every KIE key's state and credits (orchestrator). */
    public JsonNode kieAccounts() {
        return orchestrator.read(c -> c.get().uri("/internal/kie-accounts").retrieve().body(JsonNode.class));
    }

    /** Buttons carry {@code g:<model id>}, {@code c:<field>:<n>}, ...: within Telegram's 64 bytes of data. */
    static boolean fitsButtons(BotModel m) {
        return m.id().getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= 60
                && m.fields().stream().allMatch(f -> f.name().getBytes(java.nio.charset.StandardCharsets.UTF_8)
                .length <= 50);
    }

    @Override
    public Account account(long userId) {
        JsonNode a = ledger.read(c -> c.get().uri("/internal/accounts/{id}", userId).retrieve().body(JsonNode.class));
        return new Account(a.path("availableMinor").asLong(), a.path("heldMinor").asLong(),
                a.path("currency").asString());
    }

    @Override
    public List<Movement> movements(long userId, int limit) {
        try {
            JsonNode rows = ledger.read(c -> c.get().uri("/internal/accounts/{id}/movements?limit={limit}", userId,
                    limit).retrieve().body(JsonNode.class));
            List<Movement> out = new ArrayList<>();
            for (JsonNode m : rows) {
                out.add(new Movement(m.path("kind").asString(), m.path("amountMinor").asLong(),
                        m.path("currency").asString(), m.path("at").asString()));
            }
            return out;
        } catch (RuntimeException e) {
            log.atWarn().addKeyValue("userId", userId).addKeyValue("reason", e.getMessage())
                    .log("bot.movements-unavailable");
            return List.of();
        }
    }

    @Override
    public List<PastJob> history(long userId, int limit) {
        JsonNode jobs = orchestrator.read(c -> c.get().uri("/internal/users/{id}/jobs?limit={limit}", userId, limit)
                .retrieve().body(JsonNode.class));
        List<PastJob> out = new ArrayList<>();
        for (JsonNode j : jobs) {
            @SuppressWarnings("unchecked")
            Map<String, Object> input = j.path("input").isObject()
                    ? MessageCodec.mapper().convertValue(j.get("input"), Map.class) : Map.of();
            List<String> urls = new ArrayList<>();
            j.path("resultUrls").forEach(u -> urls.add(u.asString()));
            out.add(new PastJob(j.path("jobId").asString(), j.path("model").asString(), j.path("status").asString(),
                    j.path("priceMinor").asLong(), j.path("currency").asString(), j.path("prompt").asString(null),
                    input, urls));
        }
        return out;
    }

    @Override
    public Quote quote(long userId, String modelId, Map<String, Object> input, Language language) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("userId", userId);
        body.put("model", modelId);
        body.put("input", input);
        body.put("language", language.name().toLowerCase(java.util.Locale.ROOT));
        try {
            return orchestrator.read(c -> c.post().uri("/internal/quotes").body(MessageCodec.mapper()
                    .writeValueAsString(body)).header("Content-Type", "application/json")
                    .exchange((req, res) -> {
                        byte[] bytes = res.getBody().readAllBytes();
                        JsonNode answer;
                        try {
                            answer = bytes.length == 0 ? null : MessageCodec.mapper().readTree(bytes);
                        } catch (RuntimeException unreadable) {
                            answer = null;
                        }
                        int status = res.getStatusCode().value();
                        if (status == 201 && answer != null) {
                            return new Quote.Priced(answer.path("quoteId").asString(),
                                    answer.path("priceMinor").asLong(), answer.path("currency").asString());
                        }
                        if (status == 422 || status == 404 || status == 409) {
                            return new Quote.Refused(answer == null ? "" : answer.path("message").asString(""));
                        }
                        return new Quote.Unavailable();
                    }));
        } catch (RuntimeException e) {
            log.atWarn().addKeyValue("userId", userId).addKeyValue("model", modelId)
                    .addKeyValue("reason", e.getMessage()).log("bot.quote-unavailable");
            return new Quote.Unavailable();
        }
    }
}
