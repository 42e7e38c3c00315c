package io.kiepipeline.analytics.streams;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Counts each job's facts once: its request, its end, its late result, its capture and KIE's cost, whatever repeats
 * (a message published again after a crash, KIE's cost in a poll and in a callback) and in whatever order the
 * topics deliver them (a capture or a cost may come before the creation that names the model: it waits for it).
 * Keyed by job id; the state of a job is forgotten {@code retention} after it was first seen (stream time), through
 * an index by that time, so forgetting costs only what is forgotten.
 */
final class JobFacts implements Processor<String, Fact, String, Fact> {
    static final String JOBS = "analytics-jobs";
    static final String BY_FIRST_SEEN = "analytics-jobs-by-first-seen";

    private final Duration retention;
    private ProcessorContext<String, Fact> context;
    private KeyValueStore<String, JobState> jobs;
    private KeyValueStore<String, String> byFirstSeen;

    JobFacts(Duration retention) {
        this.retention = retention;
    }

    @Override
    public void init(ProcessorContext<String, Fact> context) {
        this.context = context;
        this.jobs = context.getStateStore(JOBS);
        this.byFirstSeen = context.getStateStore(BY_FIRST_SEEN);
        context.schedule(Duration.ofMinutes(1), PunctuationType.STREAM_TIME, this::forget);
    }

    @Override
    public void process(Record<String, Fact> record) {
        Fact fact = record.value();
        if (fact == null || fact.jobId() == null) {
            return;
        }
        if (fact.at() == null) {
            fact = fact.withAt(Instant.ofEpochMilli(record.timestamp()));
        }
        String jobId = fact.jobId();
        JobState job = jobs.get(jobId);
        if (job == null) {
            long now = Math.max(context.currentStreamTimeMs(), record.timestamp());
            job = JobState.first(now);
            byFirstSeen.put(indexKey(now, jobId), jobId);
        }
        List<Fact> out = new ArrayList<>();
        JobState next = apply(job, fact, out);
        if (!next.waiting().isEmpty() && next.known()) {
            for (Fact waiting : next.waiting()) {
                out.add(waiting.withModelAndUser(next.model(), next.userId()));
            }
            next = next.withWaiting(List.of());
        }
        if (!next.equals(job)) {
            jobs.put(jobId, next);
        }
        for (Fact f : out) {
            context.forward(new Record<>(jobId, f, f.at().toEpochMilli()));
        }
    }

    /** The job after the fact, and the facts to count now (in {@code out}). */
    private static JobState apply(JobState job, Fact fact, List<Fact> out) {
        return switch (fact.kind()) {
            case CREATED -> {
                if (job.createdAtMs() != null) {
                    yield job;
                }
                JobState next = job.withModelAndUser(fact.model(), fact.userId())
                        .withCreatedAt(fact.at().toEpochMilli());
                yield requested(next, fact, out);
            }
            case REJECTED -> {
                if (job.end() != null) {
                    yield job;
                }
                // refused at intake: never created, so this is also the request
                JobState next = requested(job.withModelAndUser(fact.model(), fact.userId()), fact, out);
                out.add(fact.withModelAndUser(next.model(), next.userId()));
                yield next.withEnd(Fact.Kind.REJECTED);
            }
            case SUBMITTED -> job.taskId() == null && fact.ref() != null
                    ? job.withTaskId(fact.ref()).withModelAndUser(null, fact.userId()) : job;
            case SUCCEEDED -> {
                if (job.end() != null) {
                    yield job;
                }
                JobState next = job.withModelAndUser(fact.model(), fact.userId()).withEnd(Fact.Kind.SUCCEEDED);
                Long duration = job.createdAtMs() == null ? null
                        : Math.max(0, fact.at().toEpochMilli() - job.createdAtMs());
                out.add(fact.withModelAndUser(next.model(), next.userId()).withDuration(duration));
                yield next;
            }
            case FAILED -> {
                if (job.end() != null) {
                    yield job;
                }
                JobState next = job.withModelAndUser(fact.model(), fact.userId()).withEnd(Fact.Kind.FAILED);
                out.add(fact.withModelAndUser(next.model(), next.userId()));
                yield next;
            }
            case LATE_RESULT -> {
                if (job.late()) {
                    yield job;
                }
                JobState next = job.withModelAndUser(fact.model(), fact.userId()).withLate();
                out.add(fact.withModelAndUser(next.model(), next.userId()));
                yield next;
            }
            case CAPTURED -> job.charged() ? job
                    : countOrWait(job.withModelAndUser(null, fact.userId()).withCharged(), fact, out);
            // KIE's cost of the job's own task (a report naming another task, a candidate never confirmed, is not)
            case KIE_COST -> job.costed() || (job.taskId() != null && !job.taskId().equals(fact.ref())) ? job
                    : countOrWait(job.withCosted(), fact, out);
            // only read, never sent on by the reader
            case REQUESTED -> job;
        };
    }

    private static JobState requested(JobState job, Fact fact, List<Fact> out) {
        if (job.requested()) {
            return job;
        }
        out.add(fact.withKind(Fact.Kind.REQUESTED).withModelAndUser(job.model(), job.userId()));
        return job.withRequested();
    }

    private static JobState countOrWait(JobState job, Fact fact, List<Fact> out) {
        if (job.known()) {
            out.add(fact.withModelAndUser(job.model(), job.userId()));
            return job;
        }
        List<Fact> waiting = new ArrayList<>(job.waiting());
        waiting.add(fact);
        return job.withWaiting(waiting);
    }

    /** Forgets the jobs first seen longer than the retention ago (stream time). */
    private void forget(long streamTime) {
        String upTo = indexKey(streamTime - retention.toMillis(), "");
        List<KeyValue<String, String>> old = new ArrayList<>();
        try (KeyValueIterator<String, String> it = byFirstSeen.range(indexKey(0, ""), upTo)) {
            while (it.hasNext()) {
                old.add(it.next());
            }
        }
        for (KeyValue<String, String> e : old) {
            jobs.delete(e.value);
            byFirstSeen.delete(e.key);
        }
    }

    /** Sorts by time as text: the time zero-padded, then the job id. */
    static String indexKey(long ms, String jobId) {
        return String.format("%019d|%s", Math.max(0, ms), jobId);
    }
}
