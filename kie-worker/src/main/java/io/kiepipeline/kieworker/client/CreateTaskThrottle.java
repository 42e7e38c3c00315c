package io.kiepipeline.kieworker.client;

import java.time.Instant;

/**
 * Keeps createTask under KIE's limit (20 new generation requests per 10 s per account): over the limit KIE answers
 * 429 and drops the request. It never waits: a caller without room leaves its work due at {@link #nextRoomAt()}.
 */
public interface CreateTaskThrottle {
    /**
     * Counts one request of a KIE key (each key is its own account, with its own window) and returns true when it
     * fits in the key's window; false (and counts nothing) otherwise. {@code keyId} null: the one key.
     */
    boolean tryAcquire(String keyId);

    /** When the key's window has room for one more request (now, when it has room already). */
    Instant nextRoomAt(String keyId);

    default boolean tryAcquire() {
        return tryAcquire(null);
    }

    default Instant nextRoomAt() {
        return nextRoomAt(null);
    }
}
