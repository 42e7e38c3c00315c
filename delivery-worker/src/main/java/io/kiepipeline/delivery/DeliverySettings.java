package io.kiepipeline.delivery;

import static io.kiepipeline.platform.config.InvalidSettingException.require;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The delivery-worker's settings ({@code pipeline.telegram} in delivery-worker.yml, where each names its variable).
 * A value out of bounds stops the start, naming its variable and the rule.
 *
 * @param baseUrl              the Bot API (TELEGRAM_API_BASE_URL)
 * @param botToken             the bot's token (TELEGRAM_BOT_TOKEN; a secret)
 * @param paymentProviderToken card payments' provider token (PAYMENT_PROVIDER_TOKEN; a secret; empty: Stars only)
 * @param patience             how long a delivery keeps being retried (TELEGRAM_DELIVERY_PATIENCE)
 * @param retryInitial         the first pause after a failed try (TELEGRAM_RETRY_INITIAL), doubling up to retryMax
 * @param retryMax             the longest pause between tries (TELEGRAM_RETRY_MAX)
 * @param lease                how long a message claimed for sending stays claimed (TELEGRAM_SEND_LEASE): one
 *                             Telegram call is cut off before it ends ({@link #callTimeout()})
 * @param captureWait          how long a paid result waits for its charge to show the balance (TELEGRAM_CAPTURE_WAIT)
 * @param schedulerPeriod      how often the scheduler looks for due messages (TELEGRAM_SCHEDULER_PERIOD)
 * @param senders              messages sent at once (TELEGRAM_SENDERS)
 * @param batchSize            messages claimed in one transaction
 * @param schedulerAutoStart   false only in tests that drive the scheduler themselves
 * @param rate                 Telegram's flood limits, held for every delivery-worker together
 */
@ConfigurationProperties("pipeline.telegram")
public record DeliverySettings(String baseUrl, String botToken, String paymentProviderToken, Duration patience,
                               Duration retryInitial, Duration retryMax, Duration lease, Duration captureWait,
                               Duration schedulerPeriod, int senders, int batchSize, Boolean schedulerAutoStart,
                               Rate rate) {
    /** The longest one Bot API call may take (a large upload); shorter when the send lease is shorter. */
    public static final Duration CALL_TIMEOUT = Duration.ofSeconds(60);

    public DeliverySettings {
        schedulerAutoStart = schedulerAutoStart == null || schedulerAutoStart;
        rate = rate == null ? new Rate(30, Duration.ofSeconds(1)) : rate;
        require(baseUrl != null && baseUrl.matches("https?://[^\\s/]+.*"), "base-url", "must be an http(s) URL",
                baseUrl);
        require(patience != null && patience.isPositive(), "patience", "must be longer than zero", patience);
        require(retryInitial != null && retryInitial.isPositive(), "retry-initial", "must be longer than zero",
                retryInitial);
        require(retryMax != null && retryMax.compareTo(retryInitial) >= 0, "retry-max",
                "must be at least retry-initial (" + retryInitial + ")", retryMax);
        require(lease != null && lease.compareTo(Duration.ofSeconds(2)) >= 0, "lease", "must be at least 2s", lease);
        require(captureWait != null && !captureWait.isNegative(), "capture-wait", "must not be negative", captureWait);
        require(schedulerPeriod != null && schedulerPeriod.isPositive(), "scheduler-period",
                "must be longer than zero", schedulerPeriod);
        require(senders >= 1 && senders <= 256, "senders", "must be 1 to 256", senders);
        require(batchSize >= 1 && batchSize <= 10_000, "batch-size", "must be 1 to 10000", batchSize);
    }

    /**
     * How long one Bot API call may take: within the send lease, so that a message whose call still runs is never
     * claimed again by another sender (a slow send sent twice).
     */
    public Duration callTimeout() {
        Duration withinLease = lease.minusSeconds(1);
        return withinLease.compareTo(CALL_TIMEOUT) < 0 ? withinLease : CALL_TIMEOUT;
    }

    /**
     * @param globalPerSecond messages a second to all chats together (TELEGRAM_GLOBAL_PER_SECOND; Telegram allows 30)
     * @param chatInterval    the least time between two messages to one chat (TELEGRAM_CHAT_INTERVAL; Telegram: 1 s)
     */
    public record Rate(int globalPerSecond, Duration chatInterval) {
        public Rate {
            chatInterval = chatInterval == null ? Duration.ofSeconds(1) : chatInterval;
            require(globalPerSecond >= 1 && globalPerSecond <= 1000, "global-per-second", "must be 1 to 1000",
                    globalPerSecond);
            require(!chatInterval.isNegative(), "chat-interval", "must not be negative", chatInterval);
        }
    }
}
