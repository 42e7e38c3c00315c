package io.kiepipeline.delivery.sending;

import java.time.Duration;

/**
 * @param attempts      how many times one send is tried (network errors, 5xx, 429)
 * @param retryInitial  the first pause after a network error or 5xx; it doubles
 * @param maxRetryAfter the longest {@code retry_after} waited out in place
 */
public record TelegramSettings(int attempts, Duration retryInitial, Duration maxRetryAfter) {
}
