package io.kiepipeline.kieworker.client;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Keeps createTask under KIE's limit (20 new generation requests per 10 s per account): over the limit KIE answers
 * 429 and drops the request. A sliding window in this process; several instances should share the limit between them
 * (set KIE_RATE_LIMIT_REQUESTS per instance accordingly).
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

    /** Waits until one more request fits in the window, then counts it. */
    public synchronized void acquire() throws InterruptedException {
        while (true) {
            long now = clock.millis();
            while (!sent.isEmpty() && sent.peekFirst() <= now - window.toMillis()) {
                sent.pollFirst();
            }
            if (sent.size() < requests) {
                sent.addLast(now);
                return;
            }
            long wait = sent.peekFirst() + window.toMillis() - now;
            wait(Math.max(wait, 1));
        }
    }
}
