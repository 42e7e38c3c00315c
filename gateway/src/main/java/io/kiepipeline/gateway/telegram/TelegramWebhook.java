package io.kiepipeline.gateway.telegram;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import org.telegram.telegrambots.meta.api.methods.updates.SetWebhook;
import io.kiepipeline.gateway.publishing.Publisher;
import org.telegram.telegrambots.meta.generics.TelegramClient;

/**
 * Webhook mode ({@code TELEGRAM_WEBHOOK=true}): Telegram POSTs each update to {@code PUBLIC_BASE_URL/telegram/webhook},
 * every gateway serves it, and none long-polls. The secret token Telegram echoes in
 * {@code X-Telegram-Bot-Api-Secret-Token} is compared in constant time (a request without it is refused, unread);
 * the update is answered 200 once Kafka has it ({@link TelegramUpdateForwarder}), and 503 when Kafka did not take it,
 * so that Telegram sends it again; an update seen lately is answered 200 and not published again (Telegram sends an
 * update again when its answer was slow). At start the gateway calls setWebhook with the URL and the secret, again
 * every 30 s until Telegram accepts it.
 *
 * <p>The recent-update check is per gateway: an update Telegram resends to another gateway is published there again,
 * and the bot service (ADR 11) handles each update_id once.
 */
@RestController
@ConditionalOnExpression("${pipeline.telegram.enabled:true} and ${pipeline.telegram.webhook:false}")
public class TelegramWebhook {
    public static final String PATH = "/telegram/webhook";
    static final String HEADER = "X-Telegram-Bot-Api-Secret-Token";
    private static final Logger log = LoggerFactory.getLogger(TelegramWebhook.class);
    private static final int RECENT = 10_000;

    private final TelegramUpdateForwarder forwarder;
    private final byte[] secret;
    private final String url;
    private final ObjectMapper json = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES,
            false);
    private final Set<Integer> recent = Collections.newSetFromMap(new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Integer, Boolean> eldest) {
            return size() > RECENT;
        }
    });
    /** Updates being published now: a copy Telegram sends meanwhile is not acknowledged before the first is. */
    private final Set<Integer> inFlight = new java.util.HashSet<>();
    private final UntilAccepted registration;

    @org.springframework.beans.factory.annotation.Autowired
    public TelegramWebhook(TelegramUpdateForwarder forwarder, TelegramClient telegram,
                           io.kiepipeline.gateway.GatewayTelegramSettings settings) {
        this(forwarder, telegram, settings.webhookSecret(), settings.publicBaseUrl());
    }

    public TelegramWebhook(TelegramUpdateForwarder forwarder, TelegramClient telegram, String secret,
                           String publicBaseUrl) {
        if (secret == null || !secret.matches("[A-Za-z0-9_-]{16,256}")) {
            throw new IllegalStateException("TELEGRAM_WEBHOOK_SECRET must be 16 to 256 of A-Z a-z 0-9 _ - in webhook"
                    + " mode (Telegram's own alphabet for it)");
        }
        if (publicBaseUrl == null || publicBaseUrl.isBlank() || URI.create(publicBaseUrl).getHost() == null) {
            throw new IllegalStateException("PUBLIC_BASE_URL must be the gateway's public address in webhook mode");
        }
        this.forwarder = forwarder;
        this.secret = secret.getBytes(StandardCharsets.UTF_8);
        this.url = publicBaseUrl.replaceAll("/+$", "") + PATH;
        String token = secret;
        this.registration = new UntilAccepted("webhook", () -> telegram.execute(SetWebhook.builder().url(url)
                .secretToken(token).allowedUpdates(TelegramPolling.ALLOWED_UPDATES).build()), java.time.Duration.ofSeconds(30));
    }

    @PostMapping(PATH)
    ResponseEntity<Void> update(@RequestHeader(value = HEADER, required = false) String token,
                                @RequestBody(required = false) byte[] body) {
        if (token == null || !MessageDigest.isEqual(token.getBytes(StandardCharsets.UTF_8), secret)) {
            log.atWarn().log("telegram.webhook-refused; missing or wrong secret token");
            return ResponseEntity.status(401).build();
        }
        JsonNode node;
        try {
            node = body == null ? null : json.readTree(body);
        } catch (java.io.IOException e) {
            node = null;
        }
        if (node == null || !node.path("update_id").canConvertToInt()) {
            log.atWarn().log("telegram.webhook-unreadable; not an update");
            return ResponseEntity.badRequest().build();
        }
        int updateId = node.get("update_id").asInt();
        synchronized (recent) {
            if (recent.contains(updateId)) {
                log.atInfo().addKeyValue("updateId", updateId).log("telegram.webhook-duplicate; already published");
                return ResponseEntity.ok().build();
            }
            if (!inFlight.add(updateId)) {
                // the first copy is still waiting for Kafka, and may fail: this one is not acknowledged either
                log.atInfo().addKeyValue("updateId", updateId).log("telegram.webhook-duplicate; still in flight");
                return ResponseEntity.status(503).build();
            }
        }
        boolean published = false;
        try {
            forwarder.publish(new String(body, StandardCharsets.UTF_8));
            published = true;
        } catch (Publisher.Unavailable e) {
            log.atWarn().addKeyValue("updateId", updateId).log("telegram.webhook-unpublished; Telegram sends it again");
        } finally {
            synchronized (recent) {
                inFlight.remove(updateId);
                if (published) {
                    recent.add(updateId);
                }
            }
        }
        return published ? ResponseEntity.ok().build() : ResponseEntity.status(503).build();
    }

    /** The setWebhook registration, a lifecycle bean of its own (GatewayApplication): retried until Telegram takes it. */
    public UntilAccepted registration() {
        return registration;
    }
}
