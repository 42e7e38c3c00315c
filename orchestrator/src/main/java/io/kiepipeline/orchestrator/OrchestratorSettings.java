package io.kiepipeline.orchestrator;

import static io.kiepipeline.platform.config.InvalidSettingException.require;

import io.kiepipeline.orchestrator.catalog.Category;
import java.time.Duration;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The orchestrator's settings ({@code pipeline} in orchestrator.yml, where each names its variable). A value out of
 * bounds stops the start, naming its variable and the rule.
 *
 * @param catalog the models on sale and their prices (CATALOG_LOCATION)
 * @param quotes  how long a quoted price holds
 * @param limits  what one user may ask, and the free tier's size
 * @param jobs    the jobs' timings
 * @param allowHttpResultUrls the emulated world of the embedded run (ALLOW_HTTP_RESULT_URLS): photos re-hosted under
 *                            an http PUBLIC_BASE_URL are trusted as inputs
 * @param publicBaseUrl       the gateway's public address (PUBLIC_BASE_URL)
 */
@ConfigurationProperties("pipeline")
public record OrchestratorSettings(String catalog, Quotes quotes, Limits limits, Jobs jobs,
                                   boolean allowHttpResultUrls, String publicBaseUrl) {
    public OrchestratorSettings {
        publicBaseUrl = publicBaseUrl == null ? "" : publicBaseUrl;
        require(publicBaseUrl.isEmpty() || publicBaseUrl.matches("https?://[^\\s/]+(/\\S*)?"), "public-base-url",
                "must be empty or the gateway's http(s) address", publicBaseUrl);
        require(catalog != null && catalog.matches("(classpath|file):\\S+"), "catalog",
                "must be classpath:<path> or file:<path>", catalog);
        require(quotes != null, "quotes", "must be set", null);
        require(limits != null, "limits", "must be set", null);
        require(jobs != null, "jobs", "must be set", null);
    }

    /** @param ttl how long a user may take to confirm a price (QUOTE_TTL) */
    public record Quotes(Duration ttl) {
        public Quotes {
            require(ttl != null && ttl.compareTo(Duration.ofSeconds(10)) >= 0 && ttl.compareTo(Duration.ofDays(1)) <= 0,
                    "ttl", "must be 10s to 1d", ttl);
        }
    }

    /**
     * 0 means no limit.
     *
     * @param maxRunningPerUser jobs one user may have running at once (USER_MAX_RUNNING_JOBS)
     * @param requestsPerMinute requests one user may make a minute (USER_REQUESTS_PER_MINUTE)
     * @param freeDailyPerUser  free jobs one user may run a day (FREE_DAILY_PER_USER)
     * @param freeDailyBudget   free jobs everyone together may run a day (FREE_DAILY_BUDGET)
     */
    public record Limits(int maxRunningPerUser, int requestsPerMinute, int freeDailyPerUser, int freeDailyBudget) {
        public Limits {
            require(maxRunningPerUser >= 0, "max-running-per-user", "must be 0 (no limit) or more", maxRunningPerUser);
            require(requestsPerMinute >= 0, "requests-per-minute", "must be 0 (no limit) or more", requestsPerMinute);
            require(freeDailyPerUser >= 0, "free-daily-per-user", "must be 0 (no limit) or more", freeDailyPerUser);
            require(freeDailyBudget >= 0, "free-daily-budget", "must be 0 (no limit) or more", freeDailyBudget);
        }
    }

    /**
     * @param timeout          how long KIE may take, from the hold (JOB_TIMEOUT)
     * @param maxAge           a shorter limit per category (JOB_MAX_AGE_&lt;CATEGORY&gt;)
     * @param lateWatch        how long a timed-out job's task is still polled (KIE_LATE_WATCH)
     * @param latePollInterval the first late poll (KIE_LATE_POLL_INTERVAL)
     * @param holdTimeout      how long a paid job waits for its hold (JOB_HOLD_TIMEOUT)
     * @param reconcileAfter   a ledger command unanswered this long is sent again (JOB_RECONCILE_AFTER)
     * @param pollInterval     polling mode's first poll (KIE_POLL_INTERVAL)
     * @param pollMaxInterval  polling mode's longest pause (KIE_POLL_MAX_INTERVAL)
     * @param callbackGrace    the fallback poll for a callback that never comes (KIE_CALLBACK_GRACE)
     * @param schedulerPeriod  how often the timer looks for due jobs
     */
    public record Jobs(Duration timeout, Map<Category, Duration> maxAge, Duration lateWatch, Duration latePollInterval,
                       Duration holdTimeout, Duration reconcileAfter, Duration pollInterval, Duration pollMaxInterval,
                       Duration callbackGrace, Duration schedulerPeriod) {
        public Jobs {
            maxAge = maxAge == null ? Map.of() : Map.copyOf(maxAge);
            positive(timeout, "timeout");
            maxAge.forEach((category, age) -> positive(age,
                    "max-age." + category.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-')));
            require(lateWatch != null && !lateWatch.isNegative(), "late-watch", "must not be negative", lateWatch);
            positive(latePollInterval, "late-poll-interval");
            positive(holdTimeout, "hold-timeout");
            positive(reconcileAfter, "reconcile-after");
            positive(pollInterval, "poll-interval");
            require(pollMaxInterval != null && pollMaxInterval.compareTo(pollInterval) >= 0, "poll-max-interval",
                    "must be at least poll-interval (" + pollInterval + ")", pollMaxInterval);
            positive(callbackGrace, "callback-grace");
            positive(schedulerPeriod, "scheduler-period");
        }

        private static void positive(Duration d, String property) {
            require(d != null && d.isPositive(), property, "must be more than zero", d);
        }

        /** How long KIE may take for a category: the shorter of the timeout and its maximum age. */
        public Duration timeoutFor(Category category) {
            Duration max = maxAge.get(category);
            return max != null && max.compareTo(timeout) < 0 ? max : timeout;
        }
    }
}
