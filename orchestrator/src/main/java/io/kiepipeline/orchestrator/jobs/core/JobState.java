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
                       int pollAttempts, Instant nextPollAt, Instant deadlineAt, String candidateTaskId) {
    /**
     * {@code candidateTaskId}: a task id a callback named for a job that has none yet (a callback before KIE's
     * answer, or after an answer that was lost). It is only polled, never trusted: the job takes it as its task once
     * KIE's recordInfo confirms the task belongs to this job.
     */
    public JobState(JobId jobId, UserId userId, ChatId chatId, String model, Map<String, Object> input,
                    OutputType outputType, long priceMinor, String currency, JobStatus status, HoldState hold,
                    String taskId, boolean callbackExpected, List<String> resultUrls, String reason, String detail,
                    int pollAttempts, Instant nextPollAt, Instant deadlineAt) {
        this(jobId, userId, chatId, model, input, outputType, priceMinor, currency, status, hold, taskId,
                callbackExpected, resultUrls, reason, detail, pollAttempts, nextPollAt, deadlineAt, null);
    }

    public JobState {
        resultUrls = resultUrls == null ? List.of() : List.copyOf(resultUrls);
        input = input == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(input));
    }

    public boolean isPaid() {
        return priceMinor > 0;
    }

    /**
     * A job that timed out while its KIE task may still finish: KIE completes and bills an abandoned task, so it is
     * still polled (slowly, for a day) and a late result is delivered free (docs/adr/0010-late-results.md). Not while
     * the release of its hold is unanswered, and no more once a late result came.
     */
    public boolean lateWatched() {
        return status == JobStatus.FAILED && "TIMED_OUT".equals(reason)
                && (taskId != null || candidateTaskId != null)
                && hold != HoldState.RELEASING && resultUrls.isEmpty() && deadlineAt != null;
    }

    public HoldId holdId() {
        return Ids.holdIdForJob(jobId);
    }

    JobState withStatus(JobStatus s) {
        return new JobState(jobId, userId, chatId, model, input, outputType, priceMinor, currency, s, hold, taskId,
                callbackExpected, resultUrls, reason, detail, pollAttempts, nextPollAt, deadlineAt, candidateTaskId);
    }

    JobState withHold(HoldState h) {
        return new JobState(jobId, userId, chatId, model, input, outputType, priceMinor, currency, status, h, taskId,
                callbackExpected, resultUrls, reason, detail, pollAttempts, nextPollAt, deadlineAt, candidateTaskId);
    }

    JobState withTask(String id, boolean callback) {
        return new JobState(jobId, userId, chatId, model, input, outputType, priceMinor, currency, status, hold, id,
                callback, resultUrls, reason, detail, pollAttempts, nextPollAt, deadlineAt, candidateTaskId);
    }

    JobState withResult(List<String> urls) {
        return new JobState(jobId, userId, chatId, model, input, outputType, priceMinor, currency, status, hold, taskId,
                callbackExpected, urls, reason, detail, pollAttempts, nextPollAt, deadlineAt, candidateTaskId);
    }

    JobState withReason(String r, String d) {
        return new JobState(jobId, userId, chatId, model, input, outputType, priceMinor, currency, status, hold, taskId,
                callbackExpected, resultUrls, r, d, pollAttempts, nextPollAt, deadlineAt, candidateTaskId);
    }

    JobState withCandidate(String candidate) {
        return new JobState(jobId, userId, chatId, model, input, outputType, priceMinor, currency, status, hold, taskId,
                callbackExpected, resultUrls, reason, detail, pollAttempts, nextPollAt, deadlineAt, candidate);
    }

    JobState withDeadline(Instant deadline) {
        return new JobState(jobId, userId, chatId, model, input, outputType, priceMinor, currency, status, hold, taskId,
                callbackExpected, resultUrls, reason, detail, pollAttempts, nextPollAt, deadline, candidateTaskId);
    }

    JobState withPoll(int attempts, Instant next) {
        return new JobState(jobId, userId, chatId, model, input, outputType, priceMinor, currency, status, hold, taskId,
                callbackExpected, resultUrls, reason, detail, attempts, next, deadlineAt, candidateTaskId);
    }
}
