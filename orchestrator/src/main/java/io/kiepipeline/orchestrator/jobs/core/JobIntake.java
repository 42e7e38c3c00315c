package io.kiepipeline.orchestrator.jobs.core;

import io.kiepipeline.orchestrator.catalog.ModelCatalog;
import io.kiepipeline.orchestrator.catalog.ModelCatalog.Checked;
import io.kiepipeline.schemas.GatewayEvent.GenerationRequested;
import io.kiepipeline.schemas.JobEvent;
import io.kiepipeline.schemas.JobRejectionReason;
import io.kiepipeline.schemas.KieCommand;
import io.kiepipeline.schemas.LedgerCommand;
import io.kiepipeline.schemas.Message;
import io.kiepipeline.schemas.Limits;
import java.time.Instant;
import java.util.List;

/**
 * Decides what a generation request becomes: a job that is held (paid model) or submitted (free model), or a job
 * rejected with its reason. Pure: the caller stores the state and the messages in one transaction.
 */
public final class JobIntake {
    private final ModelCatalog catalog;
    private final SagaSettings settings;
    private final String currency;

    public JobIntake(ModelCatalog catalog, SagaSettings settings, String currency) {
        this.catalog = catalog;
        this.settings = settings;
        this.currency = currency;
    }

    public Reaction decide(GenerationRequested r, Instant now) {
        if (r.model().length() > Limits.MODEL_ID) {
            // Not from our gateway, which bounds it; stored cut, so the refusal itself fits the job's columns.
            return rejected(r, null, 0, JobRejectionReason.UNKNOWN_MODEL, "unknown model: the id is longer than "
                    + Limits.MODEL_ID + " characters", now);
        }
        return switch (catalog.check(r.model(), r.input())) {
            case Checked.UnknownModel u -> rejected(r, null, 0, JobRejectionReason.UNKNOWN_MODEL,
                    "unknown model: " + u.model(), now);
            case Checked.InvalidInput i -> rejected(r, i.model().outputType(), i.model().priceMinor(),
                    JobRejectionReason.INVALID_INPUT, "invalid input for " + r.model() + ": " + i.problems(), now);
            case Checked.Valid v -> {
                boolean paid = !v.model().isFree();
                JobState job = new JobState(r.jobId(), r.userId(), r.chatId(), r.model(), v.input(),
                        v.model().outputType(), v.model().priceMinor(), currency,
                        paid ? JobStatus.AWAITING_HOLD : JobStatus.SUBMITTING,
                        paid ? HoldState.REQUESTED : HoldState.NONE, null, false, List.of(), null, null, 0,
                        paid ? now.plus(settings.reconcileAfter()) : null,
                        now.plus(paid ? settings.holdTimeout() : settings.timeout()));
                Message created = new JobEvent.JobCreated(r.jobId(), r.userId(), r.chatId(), r.model(),
                        v.model().outputType(), v.model().priceMinor(), currency, r.source(), now);
                Message next = paid
                        ? new LedgerCommand.PlaceHold(job.holdId(), r.jobId(), r.userId(), v.model().priceMinor(),
                        currency)
                        : new KieCommand.SubmitKieTask(r.jobId(), r.userId(), r.model(), v.input(),
                        job.deadlineAt());
                yield new Reaction(job, List.of(created, next), paid ? "job.created; hold requested"
                        : "job.created; free model, submit requested", true);
            }
        };
    }

    private Reaction rejected(GenerationRequested r, io.kiepipeline.schemas.OutputType outputType, long price,
                              JobRejectionReason reason, String detail, Instant now) {
        String model = Limits.cap(r.model(), Limits.MODEL_ID);
        String capped = Limits.cap(detail, Limits.DETAIL);
        JobState job = new JobState(r.jobId(), r.userId(), r.chatId(), model, r.input(), outputType, price,
                currency, JobStatus.REJECTED, HoldState.NONE, null, false, List.of(), reason.name(), capped, 0, null,
                null);
        return new Reaction(job, List.of(new JobEvent.JobRejected(r.jobId(), r.userId(), r.chatId(), model,
                reason, capped, now)), "job.rejected", true);
    }
}
