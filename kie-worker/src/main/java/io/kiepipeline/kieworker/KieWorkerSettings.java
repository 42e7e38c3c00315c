package io.kiepipeline.kieworker;

import static io.kiepipeline.platform.config.InvalidSettingException.require;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The kie-worker's settings ({@code pipeline.kie} in kie-worker.yml, where each names its variable). A value out of
 * bounds stops the start, naming its variable and the rule (a key's presence is checked before: required-variables).
 *
 * @param baseUrl             KIE's API (KIE_API_BASE_URL)
 * @param apiKey              one KIE key (KIE_API_KEY; a secret)
 * @param apiKeys             several keys, comma-separated, each its own account (KIE_API_KEYS; secrets)
 * @param publicBaseUrl       where KIE's callbacks reach the gateway (PUBLIC_BASE_URL); empty: poll
 * @param callbackSecret      HMAC key of callback URLs (CALLBACK_SECRET), with callbacks
 * @param requestTimeout      how long one KIE call may take (KIE_REQUEST_TIMEOUT)
 * @param callbackTokenMargin how much longer than the job's deadline a callback URL stays valid
 *                            (KIE_CALLBACK_TOKEN_MARGIN)
 * @param allowHttpResultUrls result URLs may be http (ALLOW_HTTP_RESULT_URLS; emulators only)
 */
@ConfigurationProperties("pipeline.kie")
public record KieWorkerSettings(String baseUrl, String apiKey, String apiKeys, String publicBaseUrl,
                                String callbackSecret, Duration requestTimeout, Duration callbackTokenMargin,
                                boolean allowHttpResultUrls, Credits credits, Retry retry, Submit submit,
                                RateLimit rateLimit) {
    public KieWorkerSettings {
        publicBaseUrl = publicBaseUrl == null ? "" : publicBaseUrl.trim();
        require(baseUrl != null && baseUrl.matches("https?://[^\\s/]+(/\\S*)?"), "base-url", "must be an http(s) URL",
                baseUrl);
        require(publicBaseUrl.isEmpty() || publicBaseUrl.matches("https?://[^\\s/]+(/\\S*)?"), "public-base-url",
                "must be empty (poll KIE) or the gateway's public http(s) address", publicBaseUrl);
        require(publicBaseUrl.isEmpty() || (callbackSecret != null && callbackSecret.length() >= 16),
                "callback-secret", "must be at least 16 characters with callbacks (PUBLIC_BASE_URL set)",
                io.kiepipeline.platform.config.InvalidSettingException.secret(callbackSecret));
        require(requestTimeout != null && requestTimeout.compareTo(Duration.ofMillis(100)) >= 0
                        && requestTimeout.compareTo(Duration.ofMinutes(5)) <= 0, "request-timeout",
                "must be 100ms to 5m", requestTimeout);
        require(callbackTokenMargin != null && !callbackTokenMargin.isNegative(), "callback-token-margin",
                "must not be negative", callbackTokenMargin);
        require(credits != null && retry != null && submit != null && rateLimit != null, "credits", "must be set",
                null);
    }

    /** {@code KIE_API_KEYS} (several accounts, comma-separated), else {@code KIE_API_KEY}. */
    public List<String> keys() {
        String source = apiKeys != null && !apiKeys.isBlank() ? apiKeys : apiKey == null ? "" : apiKey;
        return Arrays.stream(source.split(",")).map(String::trim).filter(k -> !k.isEmpty()).toList();
    }

    /**
     * @param pollInterval how often every key's credits are read (KIE_CREDIT_POLL_INTERVAL)
     * @param warnBelow    a warning below this many credits (KIE_CREDITS_WARN_BELOW)
     */
    public record Credits(Duration pollInterval, long warnBelow) {
        public Credits {
            require(pollInterval != null && pollInterval.compareTo(Duration.ofSeconds(1)) >= 0, "poll-interval",
                    "must be at least 1s", pollInterval);
            require(warnBelow >= 0, "warn-below", "must not be negative", warnBelow);
        }
    }

    /**
     * @param attempts tries of a call that failed for a transient reason (KIE_RETRY_ATTEMPTS)
     * @param initial  the first pause (KIE_RETRY_INITIAL), doubling up to max
     * @param max      the longest pause (KIE_RETRY_MAX)
     */
    public record Retry(int attempts, Duration initial, Duration max) {
        public Retry {
            require(attempts >= 1 && attempts <= 100, "attempts", "must be 1 to 100", attempts);
            require(initial != null && initial.isPositive(), "initial", "must be more than zero", initial);
            require(max != null && max.compareTo(initial) >= 0, "max", "must be at least initial (" + initial + ")",
                    max);
        }
    }

    /**
     * @param period      how often due submissions are looked for (KIE_SUBMIT_PERIOD)
     * @param concurrency createTask calls at once (KIE_SUBMIT_CONCURRENCY)
     * @param leaseMargin how much longer than a call can take a claimed submission stays claimed
     *                    (KIE_SUBMIT_LEASE_MARGIN)
     */
    public record Submit(Duration period, int concurrency, Duration leaseMargin) {
        public Submit {
            require(period != null && period.isPositive(), "period", "must be more than zero", period);
            require(concurrency >= 1 && concurrency <= 256, "concurrency", "must be 1 to 256", concurrency);
            require(leaseMargin != null && !leaseMargin.isNegative(), "lease-margin", "must not be negative",
                    leaseMargin);
        }
    }

    /**
     * KIE's limit on new tasks, held for every kie-worker together.
     *
     * @param requests createTask calls per window (KIE_RATE_LIMIT_REQUESTS; KIE allows 20)
     * @param per      the window (KIE_RATE_LIMIT_WINDOW; KIE: 10 s)
     * @param margin   how much longer the window is counted (KIE_RATE_LIMIT_MARGIN)
     */
    public record RateLimit(int requests, Duration per, Duration margin) {
        public RateLimit {
            require(requests >= 1, "requests", "must be at least 1", requests);
            require(per != null && per.isPositive(), "per", "must be more than zero", per);
            require(margin != null && !margin.isNegative(), "margin", "must not be negative", margin);
        }
    }
}
