package io.kiepipeline.orchestrator.jobs;

import io.kiepipeline.orchestrator.catalog.CatalogModel;
import io.kiepipeline.orchestrator.catalog.ModelCatalog;
import io.kiepipeline.orchestrator.jobs.core.JobSaga;
import io.kiepipeline.orchestrator.jobs.core.JobIntake;
import io.kiepipeline.orchestrator.jobs.core.JobState;
import io.kiepipeline.orchestrator.jobs.core.Quote;
import io.kiepipeline.orchestrator.jobs.core.Reaction;

import io.kiepipeline.platform.inbox.Inbox;
import io.kiepipeline.platform.messaging.Envelope;
import io.kiepipeline.platform.outbox.OutboxWriter;
import io.kiepipeline.schemas.DeliveryEvent;
import io.kiepipeline.schemas.GatewayEvent;
import io.kiepipeline.schemas.GatewayEvent.GenerationRequested;
import io.kiepipeline.schemas.JobEvent;
import io.kiepipeline.schemas.KieCommand;
import io.kiepipeline.schemas.JobId;
import io.kiepipeline.schemas.JobRejectionReason;
import io.kiepipeline.schemas.KieApiFamily;
import io.kiepipeline.schemas.KieEvent;
import io.kiepipeline.schemas.LedgerCommand;
import io.kiepipeline.schemas.LedgerEvent;
import io.kiepipeline.schemas.Limits;
import io.kiepipeline.schemas.ReleaseReason;
import io.kiepipeline.schemas.Message;
import io.kiepipeline.schemas.NoticeKind;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Applies the saga to stored jobs. Each input runs in one transaction: dedupe its event id, lock the job row, react,
 * store the new state and append the emitted messages to the outbox. Either all of it commits or none of it.
 */
@Service
public class JobService {
    static final String CONSUMER = "orchestrator";
    private static final Logger log = LoggerFactory.getLogger(JobService.class);

    private final JobStore jobs;
    private final JobSaga saga;
    private final JobIntake intake;
    private final Quotes quotes;
    private final KieAvailability kie;
    private final ModelCatalog catalog;
    private final Inbox inbox;
    private final OutboxWriter outbox;
    private final Clock clock;
    private final UsageCounter usageCounter;
    private final JobMetrics metrics;

    JobService(JobStore jobs, JobSaga saga, JobIntake intake,
               Quotes quotes, KieAvailability kie, ModelCatalog catalog, Inbox inbox, OutboxWriter outbox, Clock clock,
               UsageCounter usageCounter, JobMetrics metrics) {
        this.metrics = metrics;
        this.usageCounter = usageCounter;
        this.kie = kie;
        this.catalog = catalog;
        this.jobs = jobs;
        this.saga = saga;
        this.intake = intake;
        this.quotes = quotes;
        this.inbox = inbox;
        this.outbox = outbox;
        this.clock = clock;
    }

    /**
     * Applies a message in one transaction, its own or a polled batch's. A job is read by id with its row locked
     * before anything changes it, and written before the next message: in a batch, the next message of the same job
     * reads what this one wrote.
     */
    @Transactional
    public void handle(Envelope envelope) {
        if (!inbox.firstDelivery(CONSUMER, envelope.eventId())) {
            log.atDebug().addKeyValue("eventId", envelope.eventId()).log("message.duplicate-skipped");
            return;
        }
        Message message = envelope.message();
        Instant now = clock.instant();
        if (message instanceof GenerationRequested request) {
            create(request, envelope, now);
            return;
        }
        Optional<JobId> jobId = jobIdOf(message);
        if (jobId.isEmpty()) {
            return;
        }
        // loaded and its row locked: events for one job arrive on several topics, and are applied one at a time
        Optional<JobRecord> found = jobs.lock(jobId.get().value());
        if (found.isEmpty()) {
            if (message instanceof LedgerEvent.HoldPlaced placed) {
                // Money held for a job this service does not know (its record was lost, e.g. a database restored
                // to before the request): give it back, never leave it held.
                outbox.append(new LedgerCommand.ReleaseHold(placed.holdId(), placed.jobId(), placed.userId(),
                        ReleaseReason.UNKNOWN_JOB), placed.jobId().toString(), envelope.eventId().toString());
                log.atError().addKeyValue("jobId", placed.jobId()).addKeyValue("userId", placed.userId())
                        .addKeyValue("amountMinor", placed.amountMinor())
                        .log("hold.released-for-unknown-job; operator: the job's record is missing");
                metrics.repaired("release_unknown_job");
                return;
            }
            log.atWarn().addKeyValue("jobId", jobId.get()).addKeyValue("type", envelope.type())
                    .log("job.unknown; message ignored");
            return;
        }
        JobRecord record = found.get();
        Reaction reaction = saga.react(record.state(), message, now);
        if (message instanceof DeliveryEvent.DeliveryFailed failed) {
            record.deliveryFailed(failed.reason() + ": " + failed.detail(), now);
            log.atWarn().addKeyValue("jobId", failed.jobId()).addKeyValue("chatId", failed.chatId())
                    .addKeyValue("kind", failed.kind()).addKeyValue("reason", failed.reason())
                    .log("delivery.failed");
        }
        if (message instanceof DeliveryEvent.ResultDelivered delivered && delivered.kind() != NoticeKind.RESULT) {
            record.notified(now);
        }
        recordKieCost(record, message);
        apply(record, reaction, envelope.eventId().toString(), now);
        jobs.update(record);
    }

    /**
     * Rejects a request the database refused to store (a character PostgreSQL cannot keep, a value over a column):
     * the user is told, and the message is consumed instead of retried for ever. No job row exists for it.
     */
    @Transactional
    public void refuseRequest(Envelope envelope, GenerationRequested request, RuntimeException why) {
        if (!inbox.firstDelivery(CONSUMER, envelope.eventId())) {
            return;
        }
        Throwable root = why;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String detail = Limits.cap("the request cannot be stored: " + root.getMessage(), Limits.DETAIL);
        outbox.append(new JobEvent.JobRejected(request.jobId(), request.userId(), request.chatId(),
                Limits.cap(request.model(), Limits.MODEL_ID), JobRejectionReason.INVALID_INPUT, detail,
                clock.instant(), null, request.language()), request.jobId().toString(), envelope.eventId().toString());
        log.atWarn().addKeyValue("jobId", request.jobId()).addKeyValue("userId", request.userId())
                .addKeyValue("reason", Limits.cap(root.getMessage(), 300)).log("job.rejected; content refused by the database");
        metrics.refused(request.model());
    }

    /**
     * KIE's reported cost of the job's task ({@code creditsConsumed}), from every poll and every signed callback, late
     * ones included: what KIE bills, whatever the job became. An unsigned callback's figure is not taken (anyone who
     * saw the callback URL could post one).
     */
    private static void recordKieCost(JobRecord record, Message message) {
        String taskId = null;
        Long credits = null;
        if (message instanceof KieEvent.KieTaskStatusObserved o) {
            taskId = o.taskId();
            credits = o.creditsConsumed();
        } else if (message instanceof GatewayEvent.CallbackReceived c && c.signatureVerified()) {
            taskId = c.taskId();
            credits = c.creditsConsumed();
        }
        if (credits != null && credits >= 0 && (record.state().taskId() == null
                || record.state().taskId().equals(taskId))) {
            record.kieCredits(credits);
        }
    }

    /** Times out and polls the jobs that are due; several instances share the work (SKIP LOCKED). */
    @Transactional
    public int tick(int batch) {
        Instant now = clock.instant();
        List<JobRecord> due = jobs.lockDue(now, batch);
        for (JobRecord record : due) {
            Reaction reaction;
            try {
                reaction = saga.tick(record.state(), now);
            } catch (RuntimeException e) {
                // One job the saga cannot read must not stop the timer for every other job: look again later.
                record.postponeCheck(now.plus(java.time.Duration.ofMinutes(5)));
                jobs.update(record);
                log.atError().addKeyValue("jobId", record.jobId()).setCause(e)
                        .log("job.tick-failed; operator: this job needs a look, checked again in 5 minutes");
                continue;
            }
            apply(record, reaction, null, now);
            jobs.update(record);
        }
        return due.size();
    }

    private void create(GenerationRequested request, Envelope envelope, Instant now) {
        // a copy of a request made earlier in the same batch is found too: its row is written already
        if (jobs.exists(request.jobId().value())) {
            log.atInfo().addKeyValue("jobId", request.jobId()).addKeyValue("userId", request.userId())
                    .log("job.duplicate-request; same idempotency key, same job");
            return;
        }
        // the quote row is locked until this transaction ends: two requests naming it cannot both take it
        Optional<Quote> quote = request.quoteId() == null ? Optional.empty() : quotes.lock(request.quoteId());
        // counted under the user's lock (and the free tier's): requests at the same moment cannot all slip under
        JobIntake.Usage usage = usage(request, now);
        JobIntake.Decision decision = intake.decide(request, quote, kie.available(), usage, usageCounter.limits(),
                now);
        Reaction reaction = decision.reaction();
        if (decision.issued() != null) {
            quotes.insert(decision.issued());
        }
        if (decision.usedQuote() != null) {
            quotes.markUsed(decision.usedQuote(), request.jobId().value());
        }
        JobRecord record = JobRecord.create(reaction.next(), Limits.cap(request.idempotencyKey(),
                Limits.IDEMPOTENCY_KEY), request.source(), now);
        record.priced(decision.catalogVersion(), decision.usedQuote());
        jobs.insert(record);
        metrics.created(request.model(), request.source());
        metrics.changed(request.model(), reaction.emit(), reaction.step(), null);
        log.atInfo().addKeyValue("jobId", request.jobId()).addKeyValue("userId", request.userId())
                .addKeyValue("model", request.model()).addKeyValue("source", request.source())
                .addKeyValue("quoteId", request.quoteId()).log("job.requested");
        emit(reaction, envelope.eventId().toString());
        logStep(reaction);
    }

    private JobIntake.Usage usage(GenerationRequested request, Instant now) {
        return usageCounter.count(request.userId().value(), intake.isFree(request.model()), now);
    }

    private void apply(JobRecord record, Reaction reaction, String causation, Instant now) {
        if (!reaction.changed()) {
            // an ignored input (a duplicate, a late or stray event) is worth an operator's eye; nothing due is not
            var level = reaction.step().contains("ignored") ? org.slf4j.event.Level.INFO : org.slf4j.event.Level.DEBUG;
            log.atLevel(level).addKeyValue("jobId", reaction.next().jobId())
                    .addKeyValue("status", reaction.next().status()).log(reaction.step());
            return;
        }
        // written by the caller, with what else the message changed
        JobRecord.Transition transition = record.apply(reaction.next(), now);
        metrics.changed(reaction.next().model(), reaction.emit(), reaction.step(), transition);
        emit(reaction, causation);
        logStep(reaction);
    }

    private void emit(Reaction reaction, String causation) {
        String correlation = reaction.next().jobId().toString();
        for (Message m : reaction.emit()) {
            outbox.append(m instanceof KieCommand.SubmitKieTask submit ? routed(submit) : m, correlation, causation);
        }
    }

    /** Tells the kie-worker which KIE API family to call, and under which model id: the catalog's. */
    private KieCommand.SubmitKieTask routed(KieCommand.SubmitKieTask submit) {
        Optional<CatalogModel> model = catalog.find(submit.model());
        if (model.isEmpty()) {
            // the catalog changed under a running job: its id is KIE's model id on the jobs API, as before families
            log.atWarn().addKeyValue("jobId", submit.jobId()).addKeyValue("model", submit.model())
                    .log("kie.route-unknown; the model left the catalog, submitted to the jobs API under its id");
            return submit.routed(KieApiFamily.MARKET, submit.model());
        }
        return submit.routed(model.get().family(), model.get().kieModel());
    }

    private static void logStep(Reaction reaction) {
        JobState s = reaction.next();
        var line = log.atInfo().addKeyValue("jobId", s.jobId()).addKeyValue("userId", s.userId())
                .addKeyValue("model", s.model()).addKeyValue("status", s.status());
        if (s.taskId() != null) {
            line = line.addKeyValue("taskId", s.taskId());
        }
        if (s.reason() != null && s.status().isFinished()) {
            line = line.addKeyValue("reason", s.reason());
        }
        line.log(reaction.step());
    }

    private static Optional<JobId> jobIdOf(Message message) {
        return switch (message) {
            case GatewayEvent e -> Optional.of(e.jobId());
            case KieEvent e -> Optional.of(e.jobId());
            case DeliveryEvent e -> Optional.of(e.jobId());
            case LedgerEvent.HoldPlaced e -> Optional.of(e.jobId());
            case LedgerEvent.HoldRejected e -> Optional.of(e.jobId());
            case LedgerEvent.HoldCaptured e -> Optional.of(e.jobId());
            case LedgerEvent.HoldReleased e -> Optional.of(e.jobId());
            case LedgerEvent.HoldCommandRefused e -> Optional.of(e.jobId());
            case LedgerEvent.FundsDeposited e -> Optional.empty();
            case LedgerEvent.DepositRefused e -> Optional.empty();
            case LedgerEvent.FundsDebited e -> Optional.empty();
            case LedgerEvent.DebitRefused e -> Optional.empty();
            case JobEvent e -> Optional.empty();
            case io.kiepipeline.schemas.KieAccountEvent e -> Optional.empty();
            case LedgerCommand c -> throw new IllegalArgumentException("orchestrator does not consume " + c);
            case KieCommand c -> throw new IllegalArgumentException("orchestrator does not consume " + c);
            case io.kiepipeline.schemas.ChatCommand c ->
                    throw new IllegalArgumentException("orchestrator does not consume " + c);
            case io.kiepipeline.schemas.TelegramUpdate u ->
                    throw new IllegalArgumentException("orchestrator does not consume " + u);
        };
    }
}
