package io.kiepipeline.kieworker.client;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A sliding window in this process only: for tests and for a single kie-worker. The service itself uses
 * {@link SharedCreateTaskThrottle}, which holds the limit for all instances together.
 */
public class LocalCreateTaskThrottle implements CreateTaskThrottle {
    private final int requests;
    private final Duration window;
    private final Clock clock;
    private final Deque<Long> sent = new ArrayDeque<>();

    public LocalCreateTaskThrottle(int requests, Duration window, Clock clock) {
        this.requests = requests;
        this.window = window;
        this.clock = clock;
    }

    @Override
    public synchronized boolean tryAcquire() {
        long now = clock.millis();
        forgetBefore(now);
        if (sent.size() < requests) {
            sent.addLast(now);
            return true;
        }
        return false;
    }

    @Override
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
