package io.kiepipeline.analytics.streams;

import static io.kiepipeline.platform.config.InvalidSettingException.require;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The analytics service's settings ({@code pipeline.analytics}); each stops the start, naming its variable and the
 * rule, when it is out of bounds.
 *
 * @param grace            how late (event time behind the newest seen) a fact may come and still count in its minute
 *                         or day: later ones are dropped by the windows (ANALYTICS_GRACE)
 * @param minuteRetention  how long the per-minute figures are kept for queries (ANALYTICS_MINUTE_RETENTION)
 * @param dayRetention     how long the per-user daily figures are kept (ANALYTICS_DAY_RETENTION)
 * @param jobRetention     how long a job's counted facts are remembered to ignore repeats: longer than any
 *                         redelivery (ANALYTICS_JOB_RETENTION)
 * @param advertisedAddress this instance's host:port as other instances reach it, for queries over several
 *                         instances (ANALYTICS_ADVERTISED_ADDRESS); empty with one instance
 */
@ConfigurationProperties("pipeline.analytics")
public record AnalyticsSettings(Duration grace, Duration minuteRetention, Duration dayRetention,
                                Duration jobRetention, String advertisedAddress) {
    public AnalyticsSettings {
        grace = grace == null ? Duration.ofDays(1) : grace;
        minuteRetention = minuteRetention == null ? Duration.ofDays(7) : minuteRetention;
        dayRetention = dayRetention == null ? Duration.ofDays(90) : dayRetention;
        jobRetention = jobRetention == null ? Duration.ofDays(7) : jobRetention;
        advertisedAddress = advertisedAddress == null ? "" : advertisedAddress.trim();
        require(!grace.isNegative(), "grace", "must not be negative", grace);
        require(minuteRetention.compareTo(Duration.ofMinutes(1).plus(grace)) >= 0, "minute-retention",
                "must be at least a minute plus the grace (" + grace + ")", minuteRetention);
        require(dayRetention.compareTo(Duration.ofDays(1).plus(grace)) >= 0, "day-retention",
                "must be at least a day plus the grace (" + grace + ")", dayRetention);
        require(jobRetention.compareTo(Duration.ofHours(1)) >= 0, "job-retention",
                "must be at least an hour (repeats of a message come later than that after an outage)", jobRetention);
        require(advertisedAddress.isEmpty() || advertisedAddress.matches("[A-Za-z0-9.\\-]+:[0-9]{1,5}"),
                "advertised-address", "must be host:port", advertisedAddress);
    }
}
