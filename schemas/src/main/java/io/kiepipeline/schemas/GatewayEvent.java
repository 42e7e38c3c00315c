package io.kiepipeline.schemas;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Topic {@code gateway.events}, keyed by job id: what came in from users and from KIE. */
public sealed interface GatewayEvent extends Message {
    JobId jobId();

    @Override
    default String key() {
        return jobId().toString();
    }

    /**
     * A user asked for a generation. The job id is derived from the idempotency key, so a repeat gets the same id.
     * {@code quoteId}: the quote the user confirmed (null: priced from the catalog when the job is made; the input then
     * comes from the quote). {@code language}: the user's language for refusals (null: English).
     * {@code progressMessageId}: the bot's message in the chat that shows the job's progress, edited in place as the
     * job moves on (null: none, as for the API).
     */
    record GenerationRequested(JobId jobId, String idempotencyKey, UserId userId, ChatId chatId, String model,
                               Map<String, Object> input, Instant requestedAt, RequestSource source,
                               java.util.UUID quoteId, Language language, Integer progressMessageId)
            implements GatewayEvent {
        public GenerationRequested {
            input = input == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(input));
        }

        /** A request without a progress message (the API's). */
        public GenerationRequested(JobId jobId, String idempotencyKey, UserId userId, ChatId chatId, String model,
                                   Map<String, Object> input, Instant requestedAt, RequestSource source,
                                   java.util.UUID quoteId, Language language) {
            this(jobId, idempotencyKey, userId, chatId, model, input, requestedAt, source, quoteId, language, null);
        }

        /** A request priced when the job is made, in English. */
        public GenerationRequested(JobId jobId, String idempotencyKey, UserId userId, ChatId chatId, String model,
                                   Map<String, Object> input, Instant requestedAt, RequestSource source) {
            this(jobId, idempotencyKey, userId, chatId, model, input, requestedAt, source, null, null, null);
        }
    }

    /**
     * KIE called back with a task's terminal state. {@code raw} is the body as received, for audit (capped).
     * {@code signatureVerified} is true only when the callback carried a valid KIE {@code X-Webhook-Signature}; an
     * unsigned callback is a hint that the orchestrator confirms with KIE before any money moves.
     */
    record CallbackReceived(JobId jobId, String taskId, KieTaskState state, List<String> resultUrls, String failCode,
                            String failMessage, Long creditsConsumed, Instant receivedAt, String raw,
                            boolean signatureVerified)
            implements GatewayEvent {
        public CallbackReceived {
            resultUrls = resultUrls == null ? List.of() : List.copyOf(resultUrls);
        }
    }
}
