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

    record JobCreated(JobId jobId, UserId userId, ChatId chatId, String model, OutputType outputType,
                      long priceMinor, String currency, RequestSource source, Instant createdAt) implements JobEvent {
    }

    record JobRejected(JobId jobId, UserId userId, ChatId chatId, String model, JobRejectionReason reason,
                       String detail, Instant rejectedAt) implements JobEvent {
    }

    record JobSubmitted(JobId jobId, UserId userId, String taskId, Instant submittedAt) implements JobEvent {
    }

    record JobSucceeded(JobId jobId, UserId userId, ChatId chatId, String model, OutputType outputType,
                        List<String> resultUrls, long priceMinor, String currency, Instant succeededAt)
            implements JobEvent {
        public JobSucceeded {
            resultUrls = resultUrls == null ? List.of() : List.copyOf(resultUrls);
        }
    }

    /** The job ended without a result; any hold was released, so nothing was charged. */
    record JobFailed(JobId jobId, UserId userId, ChatId chatId, String model, JobFailureReason reason, String detail,
                     Instant failedAt) implements JobEvent {
    }

    record JobDelivered(JobId jobId, UserId userId, Instant deliveredAt) implements JobEvent {
    }
}
