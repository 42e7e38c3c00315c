package io.kiepipeline.platform.config;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Settings every service shares.
 *
 * @param serviceName  the service's name: its database schema, its consumer group prefix, its log tag
 * @param partitions   partitions per topic created at start (dead-letter topics get as many)
 * @param outbox       the outbox relay's settings
 * @param retry        the blocking retries before a record goes to its dead-letter topic
 * @param minInsyncReplicas {@code min.insync.replicas} of the topics the service creates; the broker's default when
 *                       unset
 * @param inboxRetention how long a consumer remembers an event id it handled: longer than any redelivery window
 *                       (the topics' retention, 7 days by default), so 14 days unless set
 * @param currency       the ISO 4217 code of every balance and price (CURRENCY)
 */
@ConfigurationProperties("pipeline")
public record PlatformProperties(String serviceName, Integer partitions, Outbox outbox, Retry retry,
                                 Duration inboxRetention, Integer minInsyncReplicas, String currency) {
    public PlatformProperties {
        inboxRetention = inboxRetention == null ? Duration.ofDays(14) : inboxRetention;
        partitions = partitions == null ? 12 : partitions;
        currency = currency == null ? "RUB" : currency;
        InvalidSettingException.require(currency.matches("[A-Z]{3}"), "currency",
                "must be an ISO 4217 code of three capital letters, e.g. RUB", currency);
        InvalidSettingException.require(partitions >= 1 && partitions <= 1000, "partitions", "must be 1 to 1000",
                partitions);
        InvalidSettingException.require(minInsyncReplicas == null || minInsyncReplicas >= 1, "min-insync-replicas",
                "must be at least 1 (or unset: the broker's default)", minInsyncReplicas);
        InvalidSettingException.require(inboxRetention.compareTo(Duration.ofDays(1)) >= 0, "inbox-retention",
                "must be at least 1d (longer than any redelivery)", inboxRetention);
        outbox = outbox == null ? new Outbox(null, null, null, null, null, null, null, null) : outbox;
        retry = retry == null ? new Retry(null, null, null, null) : retry;
    }

    public record Outbox(Boolean enabled, Integer batchSize, Integer lanes, Duration idlePoll, Duration failurePause,
                         Duration ackTimeout, Duration retention, Integer maxRecordBytes) {
        public Outbox {
            enabled = enabled == null || enabled;
            // 2000 rows a run: a backlog drains at about 25,000 events/s here, against 15,000 with 500 (docs/performance.md)
            batchSize = batchSize == null ? 2000 : batchSize;
            lanes = lanes == null ? 16 : lanes;
            idlePoll = idlePoll == null ? Duration.ofMillis(500) : idlePoll;
            failurePause = failurePause == null ? Duration.ofSeconds(1) : failurePause;
            ackTimeout = ackTimeout == null ? Duration.ofSeconds(30) : ackTimeout;
            retention = retention == null ? Duration.ofHours(24) : retention;
            // the producer's default max.request.size is 1 048 576 bytes; keep headroom for the batch framing
            maxRecordBytes = maxRecordBytes == null ? 1_000_000 : maxRecordBytes;
            InvalidSettingException.require(batchSize >= 1 && batchSize <= 10_000, "batch-size", "must be 1 to 10000",
                    batchSize);
            InvalidSettingException.require(lanes >= 1 && lanes <= 1024, "lanes", "must be 1 to 1024", lanes);
            InvalidSettingException.require(idlePoll.isPositive(), "idle-poll", "must be more than zero", idlePoll);
            InvalidSettingException.require(ackTimeout.isPositive(), "ack-timeout", "must be more than zero",
                    ackTimeout);
            InvalidSettingException.require(maxRecordBytes >= 1024, "max-record-bytes", "must be at least 1024",
                    maxRecordBytes);
        }
    }

    /**
     * @param initialInterval      the first pause before a failed record is tried again
     * @param maxInterval          the longest pause between tries of a record that failed for an unknown reason
     * @param maxAttempts          deliveries of such a record before it goes to the dead-letter topic
     * @param transientMaxInterval the longest pause between tries of a record that failed for a transient reason
     *                             (database or broker unavailable, lock conflict); those are tried without limit
     */
    public record Retry(Duration initialInterval, Duration maxInterval, Integer maxAttempts,
                        Duration transientMaxInterval) {
        public Retry {
            initialInterval = initialInterval == null ? Duration.ofMillis(500) : initialInterval;
            maxInterval = maxInterval == null ? Duration.ofSeconds(10) : maxInterval;
            maxAttempts = maxAttempts == null ? 6 : maxAttempts;
            transientMaxInterval = transientMaxInterval == null ? Duration.ofSeconds(30) : transientMaxInterval;
            InvalidSettingException.require(initialInterval.isPositive(), "initial-interval", "must be more than zero",
                    initialInterval);
            InvalidSettingException.require(maxInterval.compareTo(initialInterval) >= 0, "max-interval",
                    "must be at least initial-interval (" + initialInterval + ")", maxInterval);
            InvalidSettingException.require(maxAttempts >= 1, "max-attempts", "must be at least 1", maxAttempts);
        }
    }
}
