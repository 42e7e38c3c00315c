package io.kiepipeline.kieworker.client;

/**
 * What one createTask call tells us about the task at KIE. Decided once, here, because it decides whether a second
 * call is safe: only a request that certainly made no task may be sent again (a second task is paid for twice).
 */
public enum CreateTaskOutcome {
    /** KIE answered with a task id. */
    CREATED,
    /**
     * Certainly no task, and worth trying again later: the connection never opened (nothing was sent), HTTP or
     * envelope 429 (KIE drops rate-limited requests) or 455 (maintenance).
     */
    NOT_CREATED,
    /** Certainly no task, and trying again cannot help: 404, 422, 501, 505 and other 4xx. */
    REFUSED,
    /**
     * Certainly no task, because of the key, not the request: 401, 402, 433. The key's breaker opens; the job waits
     * for another key or for this one to come back (within its deadline), never failed for it.
     */
    ACCOUNT_REFUSED,
    /**
     * The request reached KIE but the answer does not say whether a task was made: a read timeout or a connection
     * reset after sending, HTTP 5xx or envelope 500, a success without a task id. Never sent again.
     */
    AMBIGUOUS
}
