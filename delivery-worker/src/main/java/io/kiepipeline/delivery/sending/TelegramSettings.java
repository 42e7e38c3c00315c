package io.kiepipeline.delivery.sending;

import java.time.Duration;

/**
 * How deliveries are retried. Nothing here waits on a thread: every wait is a due time on a row.
 *
 * @param patience        how long after the job's notice arrived a delivery keeps being retried (transient errors,
 *                        429); only past it does the delivery end as {@code RETRIES_EXHAUSTED}
 * @param retryInitial    the first pause after a network error or 5xx; it doubles with each attempt
 * @param retryMax        the longest pause between two attempts of one message (Telegram's own
 *                        {@code retry_after} is honoured whatever its length, within the patience)
 * @param lease           how long a message claimed for sending stays claimed; past it (the sender crashed before
 *                        recording the outcome) the message is tried again. Longer than one HTTP call can take
 * @param schedulerPeriod how often the scheduler looks for due messages when nothing wakes it
 * @param senders         how many messages are sent at once (each on its own thread, no database connection held)
 * @param batchSize       the most messages claimed in one short transaction
 */
public record TelegramSettings(Duration patience, Duration retryInitial, Duration retryMax, Duration lease,
                               Duration schedulerPeriod, int senders, int batchSize) {
    public TelegramSettings {
        if (lease.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("the send lease must be at least 1s: " + lease);
        }
        senders = Math.max(1, senders);
        batchSize = Math.max(1, batchSize);
    }

    /** The pause after the {@code attempt}-th failed try of one message: doubling from the initial, capped. */
    Duration backOff(int attempt) {
        int doublings = Math.min(Math.max(attempt - 1, 0), 30);
        Duration pause = retryInitial.multipliedBy(1L << doublings);
        return pause.compareTo(retryMax) > 0 ? retryMax : pause;
    }
}
