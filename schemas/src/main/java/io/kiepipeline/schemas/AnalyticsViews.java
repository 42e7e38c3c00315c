package io.kiepipeline.schemas;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The analytics service's output topics: views derived from the event topics by Kafka Streams (exactly once), for
 * dashboards and downstream consumers. Each topic holds the latest figures per key: compacted, a record per change.
 * The payload is plain JSON (no envelope headers: a view is state, not an event); its JSON Schema is
 * {@code schemas/<type>.schema.json} and docs/asyncapi.yaml lists it.
 */
public final class AnalyticsViews {
    private AnalyticsViews() {
    }

    /** An output topic: its name, its payload's type name (the JSON Schema's), the key's form, the payload class. */
    public record View(String topic, String type, String key, Class<?> payload) {
    }

    public static final View MODEL_MINUTE = new View("analytics.model-minute", "analytics.model-minute.v1",
            "<model>@<minute's start, ISO-8601 UTC>, e.g. flux-kontext-pro@2026-11-29T13:05:00Z", ModelMinute.class);
    public static final View USER_DAY = new View("analytics.user-day", "analytics.user-day.v1",
            "<user id>@<day, ISO-8601, UTC>, e.g. 1001@2026-11-29", UserDay.class);
    public static final View TOTALS = new View("analytics.totals", "analytics.totals.v1",
            "all (one key: the live totals since the first event)", Totals.class);

    public static final List<View> ALL = List.of(MODEL_MINUTE, USER_DAY, TOTALS);

    /**
     * Times to result (job created → KIE's result) as a histogram: bucket upper bound in milliseconds → jobs. The
     * bounds grow by 10 % (1 ms, 2 ms, ... 1.1^k ms rounded up), so a quantile read from it is at most 10 % high;
     * histograms of several minutes or models add up bucket by bucket.
     */
    public record TimeToResult(SortedMap<Long, Long> buckets, Long p50Millis, Long p95Millis) {
        public TimeToResult {
            buckets = buckets == null ? new TreeMap<>() : new TreeMap<>(buckets);
        }

        public static TimeToResult empty() {
            return new TimeToResult(new TreeMap<>(), null, null);
        }

        /** The bucket a duration falls in: the smallest bound ≥ it. */
        public static long bucketOf(long millis) {
            long bound = 1;
            while (bound < millis) {
                bound = Math.max(bound + 1, (long) Math.ceil(bound * 1.1));
            }
            return bound;
        }

        public TimeToResult plus(long millis) {
            TreeMap<Long, Long> next = new TreeMap<>(buckets);
            next.merge(bucketOf(Math.max(0, millis)), 1L, Long::sum);
            return of(next);
        }

        public TimeToResult plus(TimeToResult other) {
            TreeMap<Long, Long> next = new TreeMap<>(buckets);
            other.buckets().forEach((bound, n) -> next.merge(bound, n, Long::sum));
            return of(next);
        }

        public long count() {
            return buckets.values().stream().mapToLong(Long::longValue).sum();
        }

        private static TimeToResult of(TreeMap<Long, Long> buckets) {
            return new TimeToResult(buckets, quantile(buckets, 0.50), quantile(buckets, 0.95));
        }

        /** The bound of the bucket holding the q-th job (nearest rank); null when there is none. */
        static Long quantile(SortedMap<Long, Long> buckets, double q) {
            long total = buckets.values().stream().mapToLong(Long::longValue).sum();
            if (total == 0) {
                return null;
            }
            long rank = Math.max(1, (long) Math.ceil(q * total));
            long seen = 0;
            for (Map.Entry<Long, Long> e : buckets.entrySet()) {
                seen += e.getValue();
                if (seen >= rank) {
                    return e.getKey();
                }
            }
            return buckets.lastKey();
        }
    }

    /**
     * One model's minute. Each figure counts in the minute its own event happened: a request when the job was
     * created (or rejected at intake), a success or failure when the job ended, revenue when the hold was captured,
     * KIE's cost when KIE reported it.
     *
     * @param requests    jobs asked for (created, or rejected before they were)
     * @param successes   jobs that produced their result
     * @param failures    jobs that ended without a result (nothing charged)
     * @param rejections  jobs refused before submission (unknown model, invalid input, insufficient funds)
     * @param lateResults results that came after their job had timed out (delivered free)
     * @param revenueMinor captured holds, minor units of {@code currency}
     * @param kieCredits  KIE credits its tasks consumed, as KIE reported them
     */
    public record ModelMinute(String model, Instant minuteStart, long requests, long successes, long failures,
                              long rejections, long lateResults, long revenueMinor, String currency, long kieCredits,
                              TimeToResult timeToResult) {
        public ModelMinute {
            timeToResult = timeToResult == null ? TimeToResult.empty() : timeToResult;
        }
    }

    /** One user's day (UTC): jobs asked for, their successes, and what was charged. */
    public record UserDay(long userId, LocalDate day, long requests, long successes, long spendMinor,
                          String currency) {
    }

    /** The live totals over every event since the first. */
    public record Totals(long requests, long successes, long failures, long rejections, long lateResults,
                         long revenueMinor, String currency, long kieCredits, TimeToResult timeToResult,
                         Instant lastEventAt) {
        public Totals {
            timeToResult = timeToResult == null ? TimeToResult.empty() : timeToResult;
        }
    }

    /**
     * The analytics service's answer to a query (its {@code /internal/stats}, the gateway's
     * {@code GET /api/v1/admin/stats}): the live totals, every model's minutes in [{@code from}, {@code to}], and a
     * user's days when one was asked for.
     */
    public record Stats(Instant from, Instant to, Totals totals, List<ModelMinute> minutes, List<UserDay> userDays) {
        public Stats {
            minutes = minutes == null ? List.of() : List.copyOf(minutes);
            userDays = userDays == null ? List.of() : List.copyOf(userDays);
        }
    }
}
