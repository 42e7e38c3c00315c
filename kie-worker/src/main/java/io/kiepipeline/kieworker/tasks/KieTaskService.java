package io.kiepipeline.kieworker.tasks;

import jakarta.annotation.PreDestroy;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import io.kiepipeline.kieworker.accounts.KieAccounts;
import io.kiepipeline.kieworker.client.KieClient;
import io.kiepipeline.kieworker.client.KieResponse;
import io.kiepipeline.platform.inbox.Inbox;
import io.kiepipeline.platform.kie.KieReports;
import io.kiepipeline.platform.messaging.Envelope;
import io.kiepipeline.platform.outbox.OutboxWriter;
import io.kiepipeline.schemas.KieCommand;
import io.kiepipeline.schemas.KieCommand.PollKieTask;
import io.kiepipeline.schemas.KieCommand.SubmitKieTask;
import io.kiepipeline.schemas.KieApiFamily;
import io.kiepipeline.schemas.KieEvent;
import io.kiepipeline.schemas.KieTaskState;
import io.kiepipeline.schemas.MessageCodec;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * Carries out KIE commands as they arrive. A SubmitKieTask only records the intent (one row per job, due now) and
 * returns: the {@link SubmissionScheduler} calls KIE, off this thread and outside any transaction. A PollKieTask is
 * handed to a small pool of pollers and the consumer moves on: a slow or unreachable KIE (up to KIE_REQUEST_TIMEOUT a
 * call) never holds up the submissions behind it on the partition. The poller calls recordInfo and then records what
 * it saw, with its event, in one transaction. A poll lost to a crash or a full queue is asked for again by the
 * orchestrator's timer. A job gets at most one KIE task:
 * a repeated SubmitKieTask answers with the stored outcome, or nothing while the first is under way or uncertain.
 */
@Service
public class KieTaskService {
    static final String CONSUMER = "kie-worker";
    private static final Logger log = LoggerFactory.getLogger(KieTaskService.class);

    private final KieClient kie;
    private final KieTasks tasks;
    private final Inbox inbox;
    private final OutboxWriter outbox;
    private final KieSettings settings;
    private final Clock clock;
    private final TransactionTemplate tx;
    private final JdbcTemplate jdbc;
    private final SubmissionScheduler scheduler;
    private final KieAccounts accounts;
    private final Set<UUID> pollsInFlight = ConcurrentHashMap.newKeySet();
    private final ThreadPoolExecutor pollers = new ThreadPoolExecutor(4, 4, 1, TimeUnit.MINUTES,
            new ArrayBlockingQueue<>(1_000), Thread.ofPlatform().name("kie-poll-", 0).daemon().factory(),
            new ThreadPoolExecutor.AbortPolicy());

    KieTaskService(KieClient kie, KieTasks tasks, Inbox inbox, OutboxWriter outbox, KieSettings settings, Clock clock,
                   PlatformTransactionManager txManager, JdbcTemplate jdbc, SubmissionScheduler scheduler,
                   KieAccounts accounts) {
        this.accounts = accounts;
        this.kie = kie;
        this.tasks = tasks;
        this.inbox = inbox;
        this.outbox = outbox;
        this.settings = settings;
        this.clock = clock;
        this.tx = new TransactionTemplate(txManager);
        this.jdbc = jdbc;
        this.scheduler = scheduler;
    }

    public void handle(Envelope envelope) {
        switch ((KieCommand) envelope.message()) {
            case SubmitKieTask c -> tx.executeWithoutResult(status -> {
                if (inbox.firstDelivery(CONSUMER, envelope.eventId())) {
                    submit(c, envelope.eventId().toString());
                }
            });
            case PollKieTask c -> poll(c, envelope);
        }
    }

    private void submit(SubmitKieTask c, String causation) {
        String jobId = c.jobId().toString();
        Instant now = clock.instant();
        Optional<KieTasks.Row> existing = tasks.find(c.jobId().value());
        if (existing.isPresent()) {
            repeated(c, existing.get(), causation);
            return;
        }
        if (Submissions.deadlinePassed(c.deadlineAt(), now)) {
            String message = Submissions.lateMessage(c.deadlineAt());
            tasks.insertRejected(c.jobId().value(), c.model(), c.userId().value(), c.deadlineAt(),
                    Submissions.DEADLINE_PASSED, message, causation, now);
            outbox.append(new KieEvent.KieTaskRejected(c.jobId(), Submissions.DEADLINE_PASSED, message, now), jobId,
                    causation);
            log.atWarn().addKeyValue("jobId", jobId).addKeyValue("deadlineAt", c.deadlineAt())
                    .log("kie.create-task.deadline-passed; rejected without calling KIE");
            return;
        }
        // a command from before families: the jobs API under our id; otherwise KIE's model id (none for Runway, 4o)
        tasks.insertPending(c.jobId().value(), c.model(), c.familyOrMarket(),
                c.family() == null ? c.model() : c.kieModel(), c.userId().value(),
                MessageCodec.mapper().writeValueAsString(c.input()), c.deadlineAt(), settings.callbacks(), causation,
                now);
        log.atInfo().addKeyValue("jobId", jobId).addKeyValue("model", c.model())
                .log("kie.create-task.recorded; the submission scheduler calls KIE");
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCommit() {
                scheduler.wakeUp();
            }
        });
    }

    private void repeated(SubmitKieTask c, KieTasks.Row t, String causation) {
        String jobId = c.jobId().toString();
        log.atInfo().addKeyValue("jobId", jobId).addKeyValue("state", t.state()).addKeyValue("taskId", t.taskId())
                .log("kie.submit-repeated; KIE not called again");
        switch (t.state()) {
            case "ACCEPTED" -> outbox.append(new KieEvent.KieTaskAccepted(c.jobId(), t.taskId(), t.callbackExpected(),
                    t.createdAt()), jobId, causation);
            case "REJECTED" -> outbox.append(new KieEvent.KieTaskRejected(c.jobId(), t.rejectCode(), t.rejectMessage(),
                    t.createdAt()), jobId, causation);
            default -> {
                // PENDING or IN_FLIGHT: the outcome follows; UNCERTAIN: already said once, and nothing new is known
            }
        }
    }

    private void poll(PollKieTask c, Envelope envelope) {
        if (alreadyProcessed(envelope)) {
            return;
        }
        UUID job = c.jobId().value();
        if (!pollsInFlight.add(job)) {
            log.atDebug().addKeyValue("jobId", job).log("kie.poll.skipped; a poll of this job is under way");
            return;
        }
        try {
            pollers.execute(() -> {
                try {
                    pollNow(c, envelope);
                } catch (RuntimeException e) {
                    log.atWarn().addKeyValue("jobId", job).addKeyValue("reason", e.getClass().getSimpleName())
                            .log("kie.poll.failed; the orchestrator's timer asks again");
                } finally {
                    pollsInFlight.remove(job);
                }
            });
        } catch (RejectedExecutionException e) {
            pollsInFlight.remove(job);
            log.atWarn().addKeyValue("jobId", job).log("kie.poll.dropped; too many polls waiting, the timer asks again");
        }
    }

    @PreDestroy
    void stopPolling() {
        pollers.shutdown();
        try {
            pollers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void pollNow(PollKieTask c, Envelope envelope) {
        String jobId = c.jobId().toString();
        // the family and the key the task was created with (a job this worker never submitted: the jobs API, the
        // first key)
        Optional<KieTasks.Row> row = tasks.find(c.jobId().value());
        KieApiFamily family = row.map(KieTasks.Row::family).orElse(KieApiFamily.MARKET);
        String keyId = row.map(KieTasks.Row::keyId).orElse(null);
        if (keyId != null && accounts.find(keyId).isEmpty()) {
            // another key is another account: it does not know this task (a 404 would end the job, a 401 trip a
            // healthy key). The job's deadline or its late watch ends it; the operator should put the key back.
            log.atError().addKeyValue("jobId", c.jobId()).addKeyValue("key", keyId)
                    .log("kie.poll.key-gone; operator: the task's KIE key is no longer configured, it cannot be polled");
            return;
        }
        KieAccounts.Key key = accounts.byIdOrFirst(keyId);
        // no transaction is open during the call: the inbox row and the outcome are written together afterwards
        KieResponse response = kie.recordInfo(key.apiKey(), family, c.taskId());
        Observation seen = observe(c, family, response, row.orElse(null));
        tx.executeWithoutResult(status -> {
            if (!inbox.firstDelivery(CONSUMER, envelope.eventId())) {
                return;
            }
            accounts.tripIfAccountRefused(key, response, "recordInfo");
            Instant now = clock.instant();
            if (seen.state() != null) {
                tasks.polled(c.jobId().value(), seen.state().wire(), now);
            }
            if (seen.event() != null) {
                outbox.append(seen.event().apply(now), jobId, envelope.eventId().toString());
            }
        });
    }

    /** What a poll saw: the task's state (null when unknown) and the event it makes (null when none). */
    private record Observation(KieTaskState state, java.util.function.Function<Instant, KieEvent> event) {
        static final Observation NOTHING = new Observation(null, null);
    }

    private Observation observe(PollKieTask c, KieApiFamily family, KieResponse response, KieTasks.Row row) {
        String jobId = c.jobId().toString();
        if (response.transport() == KieResponse.Transport.ANSWERED
                && (response.httpStatus() == 404 || response.code() == 404)) {
            // "Task not found": KIE has no such task (any more); the orchestrator ends a job whose own task it is
            log.atWarn().addKeyValue("jobId", jobId).addKeyValue("taskId", c.taskId()).addKeyValue("family", family)
                    .log("kie.poll.task-not-found");
            return new Observation(KieTaskState.FAIL, now -> new KieEvent.KieTaskStatusObserved(c.jobId(),
                    c.taskId(), KieTaskState.FAIL, List.of(), "404", "KIE does not know this task", null, now));
        }
        if (!response.ok() || response.data() == null) {
            // 422 "recordInfo is null" right after creation, or a passing error: the next poll will ask again.
            log.atInfo().addKeyValue("jobId", jobId).addKeyValue("taskId", c.taskId())
                    .addKeyValue("httpStatus", response.httpStatus()).addKeyValue("code", response.code())
                    .addKeyValue("msg", response.msg()).log("kie.poll.no-answer");
            return Observation.NOTHING;
        }
        KieReports.Report report;
        try {
            report = KieReports.fromStatus(family, response.data());
        } catch (KieReports.Unreadable e) {
            if (!"SUCCESS".equalsIgnoreCase(response.data().path("status").asString(""))
                    && !response.data().path("successFlag").asString("").equals("1")
                    && !"success".equalsIgnoreCase(response.data().path("state").asString(""))) {
                log.atWarn().addKeyValue("jobId", jobId).addKeyValue("taskId", c.taskId())
                        .addKeyValue("family", family).addKeyValue("reason", e.getMessage())
                        .log("kie.poll.unreadable; asked again later");
                return Observation.NOTHING;
            }
            // a success whose result cannot be read is no result: the saga fails the job and releases the hold
            report = new KieReports.Report(c.taskId(), KieTaskState.SUCCESS, List.of(), null, e.getMessage(), null,
                    null);
        }
        if (!ofThisJob(report, jobId, row, c.taskId())) {
            log.atWarn().addKeyValue("jobId", jobId).addKeyValue("taskId", c.taskId())
                    .log("kie.poll.task-of-another-job; not proven to be this job's task, nothing emitted");
            return Observation.NOTHING;
        }
        KieTaskState state = report.state();
        log.atInfo().addKeyValue("jobId", jobId).addKeyValue("taskId", c.taskId()).addKeyValue("state", state.wire())
                .addKeyValue("family", family).addKeyValue("attempt", c.attempt()).log("kie.poll.state");
        if (!state.isTerminal()) {
            return new Observation(state, null);
        }
        List<String> urls = report.resultUrls();
        if (!settings.allowHttpResultUrls() && urls.stream().anyMatch(u -> !u.regionMatches(true, 0, "https://", 0, 8))) {
            log.atWarn().addKeyValue("jobId", jobId).addKeyValue("taskId", c.taskId())
                    .log("kie.poll.result-url-not-https; taken as no result");
            urls = List.of();
        }
        List<String> resultUrls = urls;
        KieReports.Report seen = report;
        return new Observation(state, now -> new KieEvent.KieTaskStatusObserved(c.jobId(), c.taskId(), state,
                resultUrls, seen.failCode(), seen.failMessage(), seen.creditsConsumed(), now));
    }

    /**
     * True unless the task's original request (where the family's status shows it) carried a callBackUrl for another
     * job. A task id is not a secret; without this, anyone who learned another job's task id could get its result
     * reported for this job.
     */
    static boolean ofThisJob(KieReports.Report report, String jobId) {
        return report.callBackUrl() == null || report.callBackUrl().contains("/kie/callback/" + jobId);
    }

    /**
     * Whether a polled task may be reported for this job. The task this worker created for the job (its ACCEPTED
     * row's task id) is; a task the job's row names otherwise is not, nor any task when the row shows that no task was
     * made for the job. Any other (a task a callback named while the submission is pending, in flight or uncertain)
     * only when the task's own request carried this job's callBackUrl: a family whose status does not show it
     * (Runway) cannot prove a stranger's task is the job's, so it is not taken.
     */
    static boolean ofThisJob(KieReports.Report report, String jobId, KieTasks.Row row, String polledTaskId) {
        if (!ofThisJob(report, jobId)) {
            return false;
        }
        if (row != null && "ACCEPTED".equals(row.state())) {
            return polledTaskId.equals(row.taskId());
        }
        if (row != null && "REJECTED".equals(row.state())) {
            return false;
        }
        return report.callBackUrl() != null;
    }

    private boolean alreadyProcessed(Envelope envelope) {
        return Boolean.TRUE.equals(jdbc.queryForObject(
                "select exists (select 1 from processed_event where consumer = ? and event_id = ?)", Boolean.class,
                CONSUMER, envelope.eventId().value()));
    }
}
