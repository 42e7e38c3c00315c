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
    private final java.util.Map<String, Deque<Long>> windows = new java.util.HashMap<>();

    public LocalCreateTaskThrottle(int requests, Duration window, Clock clock) {
        this.requests = requests;
        this.window = window;
        this.clock = clock;
    }

    @Override
    public synchronized boolean tryAcquire(String keyId) {
        long now = clock.millis();
        Deque<Long> sent = forgetBefore(keyId, now);
        if (sent.size() < requests) {
            sent.addLast(now);
            return true;
        }
        return false;
    }

    @Override
    public synchronized Instant nextRoomAt(String keyId) {
        long now = clock.millis();
        Deque<Long> sent = forgetBefore(keyId, now);
        return sent.size() < requests ? Instant.ofEpochMilli(now)
                : Instant.ofEpochMilli(sent.peekFirst() + window.toMillis());
    }

    private Deque<Long> forgetBefore(String keyId, long now) {
        Deque<Long> sent = windows.computeIfAbsent(String.valueOf(keyId), k -> new ArrayDeque<>());
        while (!sent.isEmpty() && sent.peekFirst() <= now - window.toMillis()) {
            sent.pollFirst();
        }
        return sent;
    }
}
