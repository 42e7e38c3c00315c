package io.kiepipeline.schemas;

import java.time.Instant;
import java.util.List;

/** Topic {@code orchestrator.events}, keyed by job id: the life of a job. The orchestrator is its single writer. */
public sealed interface JobEvent extends Message {
    JobId jobId();

    @Override
    default String key() {
        return jobId().toString();
    }

    /** {@code catalogVersion}: the catalog the price came from; {@code quoteId}: the confirmed quote, if any. */
    record JobCreated(JobId jobId, UserId userId, ChatId chatId, String model, OutputType outputType,
                      long priceMinor, String currency, RequestSource source, Instant createdAt,
                      String catalogVersion, java.util.UUID quoteId, Language language, Integer progressMessageId)
            implements JobEvent {
        public JobCreated(JobId jobId, UserId userId, ChatId chatId, String model, OutputType outputType,
                          long priceMinor, String currency, RequestSource source, Instant createdAt,
                          String catalogVersion, java.util.UUID quoteId, Language language) {
            this(jobId, userId, chatId, model, outputType, priceMinor, currency, source, createdAt, catalogVersion,
                    quoteId, language, null);
        }

        public JobCreated(JobId jobId, UserId userId, ChatId chatId, String model, OutputType outputType,
                          long priceMinor, String currency, RequestSource source, Instant createdAt) {
            this(jobId, userId, chatId, model, outputType, priceMinor, currency, source, createdAt, null, null, null,
                    null);
        }

        public JobCreated(JobId jobId, UserId userId, ChatId chatId, String model, OutputType outputType,
                          long priceMinor, String currency, RequestSource source, Instant createdAt,
                          String catalogVersion, java.util.UUID quoteId) {
            this(jobId, userId, chatId, model, outputType, priceMinor, currency, source, createdAt, catalogVersion,
                    quoteId, null, null);
        }
    }

    /**
     * {@code requote}: when the confirmed quote no longer holds (the catalog changed, or it expired), the new price
     * to confirm; null otherwise.
     */
    record JobRejected(JobId jobId, UserId userId, ChatId chatId, String model, JobRejectionReason reason,
                       String detail, Instant rejectedAt, QuoteOffer requote, Language language) implements JobEvent {
        public JobRejected(JobId jobId, UserId userId, ChatId chatId, String model, JobRejectionReason reason,
                           String detail, Instant rejectedAt) {
            this(jobId, userId, chatId, model, reason, detail, rejectedAt, null, null);
        }

        public JobRejected(JobId jobId, UserId userId, ChatId chatId, String model, JobRejectionReason reason,
                           String detail, Instant rejectedAt, QuoteOffer requote) {
            this(jobId, userId, chatId, model, reason, detail, rejectedAt, requote, null);
        }
    }

    record JobSubmitted(JobId jobId, UserId userId, String taskId, Instant submittedAt) implements JobEvent {
    }

    /**
     * The job produced its result. {@code prompt}: the start of the user's prompt (at most {@link #PROMPT_EXCERPT}
     * characters) for the result's caption; null for inputs without one and in events written before it existed.
     */
    record JobSucceeded(JobId jobId, UserId userId, ChatId chatId, String model, OutputType outputType,
                        List<String> resultUrls, long priceMinor, String currency, Instant succeededAt, String prompt)
            implements JobEvent {
        public static final int PROMPT_EXCERPT = 200;

        public JobSucceeded {
            resultUrls = resultUrls == null ? List.of() : List.copyOf(resultUrls);
            prompt = prompt == null ? null : Limits.cut(prompt, PROMPT_EXCERPT);
        }

        public JobSucceeded(JobId jobId, UserId userId, ChatId chatId, String model, OutputType outputType,
                            List<String> resultUrls, long priceMinor, String currency, Instant succeededAt) {
            this(jobId, userId, chatId, model, outputType, resultUrls, priceMinor, currency, succeededAt, null);
        }
    }

    /** The job ended without a result; any hold was released, so nothing was charged. */
    record JobFailed(JobId jobId, UserId userId, ChatId chatId, String model, JobFailureReason reason, String detail,
                     Instant failedAt) implements JobEvent {
    }

    record JobDelivered(JobId jobId, UserId userId, Instant deliveredAt) implements JobEvent {
    }

    /**
     * A task finished after its job had timed out (KIE finishes and bills abandoned tasks): the result is delivered,
     * free of charge, since the hold was released and the user told nothing was charged (docs/adr/0010-late-results.md).
     */
    record JobLateResult(JobId jobId, UserId userId, ChatId chatId, String model, OutputType outputType,
                         List<String> resultUrls, Instant resultAt) implements JobEvent {
        public JobLateResult {
            resultUrls = resultUrls == null ? List.of() : List.copyOf(resultUrls);
        }
    }
}
