package io.kiepipeline.gateway;

import static io.kiepipeline.platform.config.InvalidSettingException.require;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The gateway's settings ({@code pipeline.gateway} in gateway.yml, where each names its variable). A value out of
 * bounds stops the start, naming its variable and the rule; the secrets' presence is checked before
 * (required-variables).
 *
 * @param apiToken             bearer token of the API (API_TOKEN)
 * @param adminToken           bearer token of top-ups, the operator page and the actuator (ADMIN_TOKEN)
 * @param callbackSecret       HMAC key of callback URLs (CALLBACK_SECRET)
 * @param kieWebhookHmacKey    KIE's webhook HMAC key (KIE_WEBHOOK_HMAC_KEY); empty: signatures are not checked
 * @param webhookMaxSkew       how far X-Webhook-Timestamp may be from our clock (KIE_WEBHOOK_MAX_SKEW)
 * @param allowHttpResultUrls  result URLs may be http (ALLOW_HTTP_RESULT_URLS; emulators only)
 * @param orchestratorUrl      the orchestrator's instances (ORCHESTRATOR_URL)
 * @param ledgerUrl            the ledger's instances (LEDGER_URL)
 * @param analyticsUrl         the analytics service's instances (ANALYTICS_URL)
 * @param botUrl               the bot's instances (BOT_URL)
 * @param sandboxTelegramUrl   the Telegram emulator the sandbox page drives (SANDBOX_TELEGRAM_URL; embedded run only)
 * @param publishTimeout       how long a request waits for Kafka's ack before answering 503
 */
@ConfigurationProperties("pipeline.gateway")
public record GatewaySettings(String apiToken, String adminToken, String callbackSecret, String kieWebhookHmacKey,
                              Duration webhookMaxSkew, boolean allowHttpResultUrls, String orchestratorUrl,
                              String ledgerUrl, String analyticsUrl, String botUrl, String sandboxTelegramUrl,
                              Duration publishTimeout) {
    public GatewaySettings {
        kieWebhookHmacKey = kieWebhookHmacKey == null ? "" : kieWebhookHmacKey;
        sandboxTelegramUrl = sandboxTelegramUrl == null ? "" : sandboxTelegramUrl;
        webhookMaxSkew = webhookMaxSkew == null ? Duration.ofMinutes(5) : webhookMaxSkew;
        publishTimeout = publishTimeout == null ? Duration.ofSeconds(6) : publishTimeout;
        secret(apiToken, "api-token");
        secret(adminToken, "admin-token");
        secret(callbackSecret, "callback-secret");
        require(apiToken == null || adminToken == null || apiToken.isBlank() || !apiToken.equals(adminToken),
                "admin-token", "must differ from API_TOKEN (an API caller would be an admin)",
                io.kiepipeline.platform.config.InvalidSettingException.secret(adminToken));
        require(kieWebhookHmacKey.isEmpty() || kieWebhookHmacKey.length() >= 16, "kie-webhook-hmac-key",
                "must be empty or at least 16 characters",
                io.kiepipeline.platform.config.InvalidSettingException.secret(kieWebhookHmacKey));
        require(webhookMaxSkew.isPositive() && webhookMaxSkew.compareTo(Duration.ofHours(1)) <= 0,
                "webhook-max-skew", "must be more than zero and at most 1h (a replayed callback is older)",
                webhookMaxSkew);
        io.kiepipeline.platform.config.InvalidSettingException.requireUrls(orchestratorUrl, "orchestrator-url");
        io.kiepipeline.platform.config.InvalidSettingException.requireUrls(ledgerUrl, "ledger-url");
        io.kiepipeline.platform.config.InvalidSettingException.requireUrls(analyticsUrl, "analytics-url");
        io.kiepipeline.platform.config.InvalidSettingException.requireUrls(botUrl, "bot-url");
        require(sandboxTelegramUrl.isEmpty() || sandboxTelegramUrl.matches("https?://\\S+"), "sandbox-telegram-url",
                "must be empty or an http(s) URL", sandboxTelegramUrl);
        require(publishTimeout.isPositive(), "publish-timeout", "must be more than zero", publishTimeout);
    }

    /** A secret is never shown: only its length. */
    private static void secret(String value, String property) {
        require(value == null || value.isEmpty() || value.length() >= 16, property,
                "must be at least 16 characters (a guessable token opens the API)",
                io.kiepipeline.platform.config.InvalidSettingException.secret(value));
    }
}
