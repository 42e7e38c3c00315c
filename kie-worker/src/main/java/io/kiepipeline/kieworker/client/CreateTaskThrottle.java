package io.kiepipeline.kieworker.client;

import java.time.Instant;

/**
 * Keeps createTask under KIE's limit (20 new generation requests per 10 s per account): over the limit KIE answers
 * 429 and drops the request. It never waits: a caller without room leaves its work due at {@link #nextRoomAt()}.
 */
public interface CreateTaskThrottle {
    /** Counts one request and returns true when it fits in the window; false (and counts nothing) otherwise. */
    boolean tryAcquire();

    /** When the window has room for one more request (now, when it has room already). */
    Instant nextRoomAt();
}
