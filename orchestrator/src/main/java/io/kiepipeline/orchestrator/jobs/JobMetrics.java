package io.kiepipeline.orchestrator.jobs;

import io.kiepipeline.orchestrator.catalog.ModelCatalog;
import io.kiepipeline.platform.metrics.AfterCommit;
import io.kiepipeline.schemas.JobEvent;
import io.kiepipeline.schemas.Message;
import io.kiepipeline.schemas.RequestSource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.List;
import java.util.Locale;
import org.springframework.stereotype.Component;

/**
 * The jobs' meters (docs/operations.md, Metrics), moved only once the transaction that made the change committed (a
 * rolled-back attempt is tried again and would count twice):
 * <ul>
 *   <li>{@code pipeline_jobs_requested_total{model,source}}: a request became a job (refused ones too);</li>
 *   <li>{@code pipeline_jobs_finished_total{model,outcome,reason}}: succeeded, failed, rejected, or a late result;</li>
 *   <li>{@code pipeline_job_state_duration_seconds{state}}: how long a job stayed in the state it left;</li>
 *   <li>{@code pipeline_kie_tasks_abandoned_total}: a timed-out job's task was watched to the end of the late watch
 *   and never finished (KIE may still bill it);</li>
 *   <li>{@code pipeline_reconciler_repairs_total{kind}}: a ledger command sent again because it went unanswered,
 *   or a hold released for a job this service does not know.</li>
 * </ul>
 * The model is a label only when the catalog knows it ({@code unknown} otherwise): what a user typed never becomes
 * a time series.
 */
@Component
class JobMetrics {
    private final MeterRegistry registry;
    private final ModelCatalog catalog;
    private final Counter abandoned;

    JobMetrics(MeterRegistry registry, ModelCatalog catalog) {
        this.registry = registry;
        this.catalog = catalog;
        this.abandoned = Counter.builder("pipeline.kie.tasks.abandoned")
                .description("tasks of timed-out jobs that never finished within the late watch").register(registry);
        // every kind exists from the start at 0, so that a rate over it is 0 rather than no data
        for (String kind : List.of("place_hold_resent", "capture_hold_resent", "release_hold_resent",
                "release_unknown_job")) {
            Counter.builder("pipeline.reconciler.repairs").tag("kind", kind)
                    .description("state repaired by a timer or reconciler").register(registry);
        }
    }

    void created(String model, RequestSource source) {
        AfterCommit.run(() -> registry.counter("pipeline.jobs.requested", "model", known(model), "source",
                source == null ? "unknown" : lower(source.name())).increment());
    }

    /** What a change emitted and the step it took, counted after the commit. */
    void changed(String model, List<Message> emitted, String step, JobRecord.Transition transition) {
        AfterCommit.run(() -> {
            for (Message m : emitted) {
                finished(model, m);
            }
            if (transition != null && transition.stayed() != null) {
                Timer.builder("pipeline.job.state.duration").tag("state", lower(transition.from().name()))
                        .description("how long jobs stay in each state").register(registry)
                        .record(transition.stayed());
            }
            if (step.startsWith("job.late-watch-ended")) {
                abandoned.increment();
            } else if (step.startsWith("hold.reconcile; PlaceHold")) {
                repairs("place_hold_resent");
            } else if (step.startsWith("hold.reconcile; CaptureHold")) {
                repairs("capture_hold_resent");
            } else if (step.startsWith("hold.reconcile; ReleaseHold")) {
                repairs("release_hold_resent");
            }
        });
    }

    /** A request the database refused to store: rejected without a job row. */
    void refused(String model) {
        AfterCommit.run(() -> registry.counter("pipeline.jobs.finished", "model", known(model), "outcome",
                "rejected", "reason", "invalid_input").increment());
    }

    void repaired(String kind) {
        AfterCommit.run(() -> repairs(kind));
    }

    /** Not {@link #repaired}: inside an after-commit callback a new one would be registered too late to run. */
    private void repairs(String kind) {
        registry.counter("pipeline.reconciler.repairs", "kind", kind).increment();
    }

    private void finished(String model, Message m) {
        String outcome;
        String reason;
        switch (m) {
            case JobEvent.JobSucceeded s -> {
                outcome = "succeeded";
                reason = "none";
            }
            case JobEvent.JobFailed f -> {
                outcome = "failed";
                reason = lower(f.reason().name());
            }
            case JobEvent.JobRejected r -> {
                outcome = "rejected";
                reason = lower(r.reason().name());
            }
            case JobEvent.JobLateResult l -> {
                outcome = "late_result";
                reason = "none";
            }
            default -> {
                return;
            }
        }
        registry.counter("pipeline.jobs.finished", "model", known(model), "outcome", outcome, "reason", reason)
                .increment();
    }

    private String known(String model) {
        return model != null && catalog.find(model).isPresent() ? model : "unknown";
    }

    private static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
