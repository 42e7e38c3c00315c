package io.kiepipeline.schemas;

import java.time.Instant;
import java.util.Map;

/** Topic {@code kie-worker.commands}, keyed by job id. */
public sealed interface KieCommand extends Message {
    JobId jobId();

    @Override
    default String key() {
        return jobId().toString();
    }

    /**
     * Create the KIE task for a job. {@code family} and {@code kieModel}: where and as what (from the catalog; null
     * in commands written before them: the jobs API, under {@code model}).
     * <p>Create the KIE task for a job whose hold is placed (or whose model is free). {@code deadlineAt} is when the job
     * gives up on KIE: the worker refuses a command past it, so no paid task is made for a job that is already over
     * ({@code null} only in commands written before the field existed).
     */
    record SubmitKieTask(JobId jobId, UserId userId, String model, Map<String, Object> input, Instant deadlineAt,
                         KieApiFamily family, String kieModel)
            implements KieCommand {
        public SubmitKieTask {
            input = input == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(input));
        }

        /** A command before the catalog routes it: the jobs API, KIE's model id = ours. */
        public SubmitKieTask(JobId jobId, UserId userId, String model, Map<String, Object> input, Instant deadlineAt) {
            this(jobId, userId, model, input, deadlineAt, null, null);
        }

        /** The same command, sent to a family's endpoint under KIE's model id. */
        public SubmitKieTask routed(KieApiFamily toFamily, String toKieModel) {
            return new SubmitKieTask(jobId, userId, model, input, deadlineAt, toFamily, toKieModel);
        }

        /** The API family (commands written before families: the jobs API). */
        public KieApiFamily familyOrMarket() {
            return family == null ? KieApiFamily.MARKET : family;
        }
    }

    /** Ask KIE for a task's state (polling mode, and the fallback for a callback that never comes). */
    record PollKieTask(JobId jobId, String taskId, int attempt) implements KieCommand {
    }
}
