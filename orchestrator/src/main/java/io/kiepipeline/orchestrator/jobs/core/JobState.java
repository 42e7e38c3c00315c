package io.kiepipeline.orchestrator.jobs.core;

import io.kiepipeline.schemas.ChatId;
import io.kiepipeline.schemas.HoldId;
import io.kiepipeline.schemas.Ids;
import io.kiepipeline.schemas.JobId;
import io.kiepipeline.schemas.OutputType;
import io.kiepipeline.schemas.UserId;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** The state of one job, as the saga sees it: an immutable value, changed only by {@link JobSaga}. */
public record JobState(JobId jobId, UserId userId, ChatId chatId, String model, Map<String, Object> input,
                       OutputType outputType,
                       long priceMinor, String currency, JobStatus status, HoldState hold, String taskId,
                       boolean callbackExpected, List<String> resultUrls, String reason, String detail,
                       int pollAttempts, Instant nextPollAt, Instant deadlineAt) {
    public JobState {
        resultUrls = resultUrls == null ? List.of() : List.copyOf(resultUrls);
        input = input == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(input));
    }

    public boolean isPaid() {
        return priceMinor > 0;
    }

    public HoldId holdId() {
        return Ids.holdIdForJob(jobId);
    }

    JobState withStatus(JobStatus s) {
        return new JobState(jobId, userId, chatId, model, input, outputType, priceMinor, currency, s, hold, taskId,
                callbackExpected, resultUrls, reason, detail, pollAttempts, nextPollAt, deadlineAt);
    }

    JobState withHold(HoldState h) {
        return new JobState(jobId, userId, chatId, model, input, outputType, priceMinor, currency, status, h, taskId,
                callbackExpected, resultUrls, reason, detail, pollAttempts, nextPollAt, deadlineAt);
    }

    JobState withTask(String id, boolean callback) {
        return new JobState(jobId, userId, chatId, model, input, outputType, priceMinor, currency, status, hold, id,
                callback, resultUrls, reason, detail, pollAttempts, nextPollAt, deadlineAt);
    }

    JobState withResult(List<String> urls) {
        return new JobState(jobId, userId, chatId, model, input, outputType, priceMinor, currency, status, hold, taskId,
                callbackExpected, urls, reason, detail, pollAttempts, nextPollAt, deadlineAt);
    }

    JobState withReason(String r, String d) {
        return new JobState(jobId, userId, chatId, model, input, outputType, priceMinor, currency, status, hold, taskId,
                callbackExpected, resultUrls, r, d, pollAttempts, nextPollAt, deadlineAt);
    }

    JobState withDeadline(Instant deadline) {
        return new JobState(jobId, userId, chatId, model, input, outputType, priceMinor, currency, status, hold, taskId,
                callbackExpected, resultUrls, reason, detail, pollAttempts, nextPollAt, deadline);
    }

    JobState withPoll(int attempts, Instant next) {
        return new JobState(jobId, userId, chatId, model, input, outputType, priceMinor, currency, status, hold, taskId,
                callbackExpected, resultUrls, reason, detail, attempts, next, deadlineAt);
    }
}
