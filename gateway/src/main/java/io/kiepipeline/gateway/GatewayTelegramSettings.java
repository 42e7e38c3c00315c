package io.kiepipeline.gateway;

import static io.kiepipeline.platform.config.InvalidSettingException.require;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * How the gateway takes Telegram's updates ({@code pipeline.telegram} in gateway.yml, where each names its variable).
 *
 * @param enabled                whether it takes updates at all (TELEGRAM_POLLING_ENABLED)
 * @param baseUrl                the Bot API (TELEGRAM_API_BASE_URL)
 * @param botToken               the bot's token (TELEGRAM_BOT_TOKEN; a secret)
 * @param longPollTimeoutSeconds getUpdates' long-poll timeout (TELEGRAM_LONG_POLL_TIMEOUT), 1 to 50 s
 * @param pollerElection         one gateway polls at a time, elected through Kafka (TELEGRAM_POLLER_ELECTION)
 * @param pollerSessionTimeout   how soon another gateway takes over polling from one that died
 *                               (TELEGRAM_POLLER_SESSION_TIMEOUT)
 * @param webhook                Telegram calls the gateway instead of being polled (TELEGRAM_WEBHOOK)
 * @param webhookSecret          the webhook's secret token (TELEGRAM_WEBHOOK_SECRET; checked in webhook mode)
 * @param publicBaseUrl          the gateway's public address (PUBLIC_BASE_URL; checked in webhook mode)
 */
@ConfigurationProperties("pipeline.telegram")
public record GatewayTelegramSettings(boolean enabled, String baseUrl, String botToken, int longPollTimeoutSeconds,
                                      boolean pollerElection, Duration pollerSessionTimeout, boolean webhook,
                                      String webhookSecret, String publicBaseUrl) {
    public GatewayTelegramSettings {
        pollerSessionTimeout = pollerSessionTimeout == null ? Duration.ofSeconds(10) : pollerSessionTimeout;
        require(baseUrl != null && baseUrl.matches("https?://\\S+"), "base-url", "must be an http(s) URL", baseUrl);
        // Telegram answers a long poll within 50 s at most; a longer one would be cut by its own proxies
        require(longPollTimeoutSeconds >= 1 && longPollTimeoutSeconds <= 50, "long-poll-timeout-seconds",
                "must be 1 to 50 (seconds)", longPollTimeoutSeconds);
        require(pollerSessionTimeout.compareTo(Duration.ofSeconds(6)) >= 0
                        && pollerSessionTimeout.compareTo(Duration.ofSeconds(30)) <= 0, "poller-session-timeout",
                "must be 6s to 30s (Kafka's group session bounds, and another gateway must take over within 30 s)",
                pollerSessionTimeout);
    }
}
