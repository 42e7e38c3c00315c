package io.kiepipeline.analytics.streams;

import java.util.concurrent.atomic.AtomicLong;

/** Counts the service exposes as metrics. */
public final class Counters {
    /** Event-topic records skipped because they could not be read (pipeline_analytics_unreadable_records_total). */
    public static final AtomicLong UNREADABLE = new AtomicLong();

    private Counters() {
    }
}
