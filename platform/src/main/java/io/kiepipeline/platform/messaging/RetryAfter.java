package io.kiepipeline.platform.messaging;

import java.time.Duration;

/**
 * An exception that knows how long to wait before the record is tried again (Telegram's {@code retry_after}, KIE's
 * rate limit). The listener error handler waits that long instead of its own back-off.
 */
public interface RetryAfter {
    Duration retryAfter();

    /** The wait a failure or one of its causes asks for, if any. */
    static java.util.Optional<RetryAfter> in(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof RetryAfter ra) {
                return java.util.Optional.of(ra);
            }
        }
        return java.util.Optional.empty();
    }
}
