package io.kiepipeline.kieworker.client;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Keeps createTask under KIE's limit (20 new generation requests per 10 s per account): over the limit KIE answers
 * 429 and drops the request. A sliding window in this process; several instances should share the limit between them
 * (set KIE_RATE_LIMIT_REQUESTS per instance accordingly). It never waits: a caller without room leaves its work due
 * at {@link #nextRoomAt()}.
 */
public class CreateTaskThrottle {
    private final int requests;
    private final Duration window;
    private final Clock clock;
    private final Deque<Long> sent = new ArrayDeque<>();

    public CreateTaskThrottle(int requests, Duration window, Clock clock) {
        this.requests = requests;
        this.window = window;
        this.clock = clock;
    }

    /** Counts one request and returns true when it fits in the window; false (and counts nothing) otherwise. */
    public synchronized boolean tryAcquire() {
        long now = clock.millis();
        forgetBefore(now);
        if (sent.size() < requests) {
            sent.addLast(now);
            return true;
        }
        return false;
    }

    /** When the window has room for one more request (now, when it has room already). */
    public synchronized Instant nextRoomAt() {
        long now = clock.millis();
        forgetBefore(now);
        return sent.size() < requests ? Instant.ofEpochMilli(now)
                : Instant.ofEpochMilli(sent.peekFirst() + window.toMillis());
    }

    private void forgetBefore(long now) {
        while (!sent.isEmpty() && sent.peekFirst() <= now - window.toMillis()) {
            sent.pollFirst();
        }
    }
}
