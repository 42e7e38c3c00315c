package io.kiepipeline.analytics.streams;

import io.kiepipeline.schemas.AnalyticsViews.ModelMinute;
import io.kiepipeline.schemas.AnalyticsViews.TimeToResult;
import io.kiepipeline.schemas.AnalyticsViews.Totals;
import io.kiepipeline.schemas.AnalyticsViews.UserDay;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;

/** How a counted fact moves each view. Every switch names every kind: a new kind must say what it counts. */
final class Views {
    private Views() {
    }

    static ModelMinute emptyMinute() {
        return new ModelMinute(null, null, 0, 0, 0, 0, 0, 0, null, 0, TimeToResult.empty());
    }

    static ModelMinute add(ModelMinute m, Fact f) {
        return switch (f.kind()) {
            case REQUESTED -> new ModelMinute(m.model(), m.minuteStart(), m.requests() + 1, m.successes(),
                    m.failures(), m.rejections(), m.lateResults(), m.revenueMinor(), m.currency(), m.kieCredits(),
                    m.timeToResult());
            case SUCCEEDED -> new ModelMinute(m.model(), m.minuteStart(), m.requests(), m.successes() + 1,
                    m.failures(), m.rejections(), m.lateResults(), m.revenueMinor(), m.currency(), m.kieCredits(),
                    f.durationMs() == null ? m.timeToResult() : m.timeToResult().plus(f.durationMs()));
            case FAILED -> new ModelMinute(m.model(), m.minuteStart(), m.requests(), m.successes(),
                    m.failures() + 1, m.rejections(), m.lateResults(), m.revenueMinor(), m.currency(), m.kieCredits(),
                    m.timeToResult());
            case REJECTED -> new ModelMinute(m.model(), m.minuteStart(), m.requests(), m.successes(), m.failures(),
                    m.rejections() + 1, m.lateResults(), m.revenueMinor(), m.currency(), m.kieCredits(),
                    m.timeToResult());
            case LATE_RESULT -> new ModelMinute(m.model(), m.minuteStart(), m.requests(), m.successes(),
                    m.failures(), m.rejections(), m.lateResults() + 1, m.revenueMinor(), m.currency(),
                    m.kieCredits(), m.timeToResult());
            case CAPTURED -> new ModelMinute(m.model(), m.minuteStart(), m.requests(), m.successes(), m.failures(),
                    m.rejections(), m.lateResults(), m.revenueMinor() + f.amountMinor(), f.currency(),
                    m.kieCredits(), m.timeToResult());
            case KIE_COST -> new ModelMinute(m.model(), m.minuteStart(), m.requests(), m.successes(), m.failures(),
                    m.rejections(), m.lateResults(), m.revenueMinor(), m.currency(), m.kieCredits() + f.amountMinor(),
                    m.timeToResult());
            // read to know the job, never counted
            case CREATED, SUBMITTED -> m;
        };
    }

    static ModelMinute named(ModelMinute m, String model, long windowStartMs) {
        return new ModelMinute(model, Instant.ofEpochMilli(windowStartMs), m.requests(), m.successes(), m.failures(),
                m.rejections(), m.lateResults(), m.revenueMinor(), m.currency(), m.kieCredits(), m.timeToResult());
    }

    static UserDay emptyDay() {
        return new UserDay(0, null, 0, 0, 0, null);
    }

    static UserDay add(UserDay d, Fact f) {
        return switch (f.kind()) {
            case REQUESTED -> new UserDay(d.userId(), d.day(), d.requests() + 1, d.successes(), d.spendMinor(),
                    d.currency());
            case SUCCEEDED -> new UserDay(d.userId(), d.day(), d.requests(), d.successes() + 1, d.spendMinor(),
                    d.currency());
            case CAPTURED -> new UserDay(d.userId(), d.day(), d.requests(), d.successes(),
                    d.spendMinor() + f.amountMinor(), f.currency());
            case FAILED, REJECTED, LATE_RESULT, KIE_COST, CREATED, SUBMITTED -> d;
        };
    }

    static UserDay named(UserDay d, String userId, long windowStartMs) {
        return new UserDay(Long.parseLong(userId), LocalDate.ofInstant(Instant.ofEpochMilli(windowStartMs),
                ZoneOffset.UTC), d.requests(), d.successes(), d.spendMinor(), d.currency());
    }

    static Totals emptyTotals() {
        return new Totals(0, 0, 0, 0, 0, 0, null, 0, TimeToResult.empty(), null);
    }

    static Totals add(Totals t, Fact f) {
        ModelMinute m = add(new ModelMinute(null, null, t.requests(), t.successes(), t.failures(), t.rejections(),
                t.lateResults(), t.revenueMinor(), t.currency(), t.kieCredits(), t.timeToResult()), f);
        Instant last = t.lastEventAt() == null || f.at().isAfter(t.lastEventAt()) ? f.at() : t.lastEventAt();
        return new Totals(m.requests(), m.successes(), m.failures(), m.rejections(), m.lateResults(),
                m.revenueMinor(), m.currency(), m.kieCredits(), m.timeToResult(), last);
    }

    /** Counted in a user's day: what the user asked for and paid. */
    static boolean concernsTheUser(Fact f) {
        return switch (f.kind()) {
            case REQUESTED, SUCCEEDED, CAPTURED -> f.userId() != null;
            case FAILED, REJECTED, LATE_RESULT, KIE_COST, CREATED, SUBMITTED -> false;
        };
    }
}
