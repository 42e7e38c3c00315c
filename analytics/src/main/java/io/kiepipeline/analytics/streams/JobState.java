package io.kiepipeline.analytics.streams;

import java.util.List;

/**
 * What the views have counted of one job, so that no event counts twice (a message published again after a crash,
 * a poll and a callback both reporting KIE's cost) and facts that come before the job's creation wait for it.
 *
 * @param model       the job's model, once its creation or end was seen
 * @param createdAtMs when the job was created (for the time to result)
 * @param requested   the request was counted (at creation, or at a rejection before creation)
 * @param end         the job's end that was counted: SUCCEEDED, FAILED or REJECTED; null while it runs
 * @param late        a late result was counted
 * @param charged     the capture was counted
 * @param costed      KIE's cost was counted
 * @param taskId      the job's KIE task, once submitted (a cost report naming another task is not its cost)
 * @param waiting     facts seen before the job's model and user were known, counted when they are
 * @param firstSeenMs the stream time at which the job was first seen: it is forgotten a retention after that
 */
public record JobState(String model, Long userId, Long createdAtMs, boolean requested, Fact.Kind end, boolean late,
                       boolean charged, boolean costed, String taskId, List<Fact> waiting, long firstSeenMs) {
    public JobState {
        waiting = waiting == null ? List.of() : List.copyOf(waiting);
    }

    static JobState first(long streamTimeMs) {
        return new JobState(null, null, null, false, null, false, false, false, null, List.of(), streamTimeMs);
    }

    boolean known() {
        return model != null && userId != null;
    }

    JobState withModelAndUser(String model, Long userId) {
        return new JobState(this.model != null ? this.model : model, this.userId != null ? this.userId : userId,
                createdAtMs, requested, end, late, charged, costed, taskId, waiting, firstSeenMs);
    }

    JobState withCreatedAt(long ms) {
        return new JobState(model, userId, ms, requested, end, late, charged, costed, taskId, waiting, firstSeenMs);
    }

    JobState withRequested() {
        return new JobState(model, userId, createdAtMs, true, end, late, charged, costed, taskId, waiting,
                firstSeenMs);
    }

    JobState withEnd(Fact.Kind end) {
        return new JobState(model, userId, createdAtMs, requested, end, late, charged, costed, taskId, waiting,
                firstSeenMs);
    }

    JobState withLate() {
        return new JobState(model, userId, createdAtMs, requested, end, true, charged, costed, taskId, waiting,
                firstSeenMs);
    }

    JobState withCharged() {
        return new JobState(model, userId, createdAtMs, requested, end, late, true, costed, taskId, waiting,
                firstSeenMs);
    }

    JobState withCosted() {
        return new JobState(model, userId, createdAtMs, requested, end, late, charged, true, taskId, waiting,
                firstSeenMs);
    }

    JobState withTaskId(String taskId) {
        return new JobState(model, userId, createdAtMs, requested, end, late, charged, costed, taskId, waiting,
                firstSeenMs);
    }

    JobState withWaiting(List<Fact> waiting) {
        return new JobState(model, userId, createdAtMs, requested, end, late, charged, costed, taskId, waiting,
                firstSeenMs);
    }
}
