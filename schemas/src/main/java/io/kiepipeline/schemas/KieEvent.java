package io.kiepipeline.schemas;

import java.time.Instant;
import java.util.List;

/** Topic {@code kie-worker.events}, keyed by job id. */
public sealed interface KieEvent extends Message {
    JobId jobId();

    @Override
    default String key() {
        return jobId().toString();
    }

    /** KIE created the task. {@code callbackExpected} is false when no callBackUrl was given (polling mode). */
    record KieTaskAccepted(JobId jobId, String taskId, boolean callbackExpected, Instant acceptedAt)
            implements KieEvent {
    }

    /** KIE refused to create the task (a 4xx code in its envelope, or retries exhausted). */
    record KieTaskRejected(JobId jobId, int code, String message, Instant rejectedAt) implements KieEvent {
    }

    /**
     * The createTask call may or may not have made a task: the answer was lost (read timeout after sending, connection
     * reset, 5xx, a crash after sending). It is not sent again, which could make a second paid task; a callback or a
     * poll that names the job adopts the task, and otherwise the job's deadline fails it and releases the hold.
     */
    record KieTaskSubmissionUncertain(JobId jobId, String detail, Instant observedAt) implements KieEvent {
    }

    /** A state read from recordInfo; a terminal one means the same as a callback. */
    record KieTaskStatusObserved(JobId jobId, String taskId, KieTaskState state, List<String> resultUrls,
                                 String failCode, String failMessage, Long creditsConsumed, Instant observedAt)
            implements KieEvent {
        public KieTaskStatusObserved {
            resultUrls = resultUrls == null ? List.of() : List.copyOf(resultUrls);
        }
    }
}
