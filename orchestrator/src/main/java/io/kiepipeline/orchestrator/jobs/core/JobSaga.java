package io.kiepipeline.orchestrator.jobs.core;

import static io.kiepipeline.orchestrator.jobs.core.JobStatus.AWAITING_HOLD;
import static io.kiepipeline.orchestrator.jobs.core.JobStatus.DELIVERED;
import static io.kiepipeline.orchestrator.jobs.core.JobStatus.FAILED;
import static io.kiepipeline.orchestrator.jobs.core.JobStatus.REJECTED;
import static io.kiepipeline.orchestrator.jobs.core.JobStatus.RUNNING;
import static io.kiepipeline.orchestrator.jobs.core.JobStatus.SUBMITTING;
import static io.kiepipeline.orchestrator.jobs.core.JobStatus.SUCCEEDED;

import io.kiepipeline.schemas.DeliveryEvent;
import io.kiepipeline.schemas.DeliveryEvent.DeliveryFailed;
import io.kiepipeline.schemas.DeliveryEvent.ResultDelivered;
import io.kiepipeline.schemas.GatewayEvent;
import io.kiepipeline.schemas.GatewayEvent.CallbackReceived;
import io.kiepipeline.schemas.JobEvent;
import io.kiepipeline.schemas.JobFailureReason;
import io.kiepipeline.schemas.JobRejectionReason;
import io.kiepipeline.schemas.KieCommand;
import io.kiepipeline.schemas.KieEvent;
import io.kiepipeline.schemas.KieEvent.KieTaskAccepted;
import io.kiepipeline.schemas.KieEvent.KieTaskRejected;
import io.kiepipeline.schemas.KieEvent.KieTaskStatusObserved;
import io.kiepipeline.schemas.KieTaskState;
import io.kiepipeline.schemas.LedgerCommand;
import io.kiepipeline.schemas.LedgerEvent;
import io.kiepipeline.schemas.LedgerEvent.HoldCaptured;
import io.kiepipeline.schemas.LedgerEvent.HoldPlaced;
import io.kiepipeline.schemas.LedgerEvent.HoldRejected;
import io.kiepipeline.schemas.LedgerEvent.HoldReleased;
import io.kiepipeline.schemas.Limits;
import io.kiepipeline.schemas.Message;
import io.kiepipeline.schemas.NoticeKind;
import io.kiepipeline.schemas.ReleaseReason;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The job's saga as one table of pure reactions. No Spring, Kafka or JPA here: state and time come in, the next
 * state and the messages to emit go out.
 *
 * <pre>
 * step             | on                         | in status               | to         | emits (compensation)
 * -----------------+----------------------------+-------------------------+------------+-----------------------------
 * hold             | HoldPlaced, in time        | AWAITING_HOLD           | SUBMITTING | SubmitKieTask (KIE deadline
 *                  |                            |                         |            | starts now)
 * hold too late    | HoldPlaced, past deadline  | AWAITING_HOLD           | FAILED     | ReleaseHold, JobFailed
 * hold after end   | HoldPlaced                 | FAILED, REJECTED        | =          | ReleaseHold
 * hold refused     | HoldRejected               | AWAITING_HOLD           | REJECTED   | JobRejected
 * hold reconcile   | no answer, reconcile due   | AWAITING_HOLD           | =          | PlaceHold again
 * hold timeout     | hold deadline passed       | AWAITING_HOLD           | FAILED     | ReleaseHold, JobFailed
 * submit           | KieTaskAccepted            | SUBMITTING              | RUNNING    | JobSubmitted
 * submit refused   | KieTaskRejected            | SUBMITTING              | FAILED     | ReleaseHold, JobFailed
 * unconfirmed      | callback: success, or an   | SUBMITTING, RUNNING     | =          | PollKieTask (ask KIE first)
 *                  | unsigned failure           |                         |            |
 * result           | poll (recordInfo): success | SUBMITTING, RUNNING     | SUCCEEDED  | CaptureHold, JobSucceeded
 * task failed      | signed callback / poll: ko | SUBMITTING, RUNNING     | FAILED     | ReleaseHold, JobFailed
 * poll             | poll due                   | RUNNING                 | RUNNING    | PollKieTask
 * timeout          | deadline passed            | SUBMITTING, RUNNING     | FAILED     | ReleaseHold, JobFailed
 * delivery         | ResultDelivered(RESULT)    | SUCCEEDED               | DELIVERED  | JobDelivered
 * money reconcile  | hold CAPTURING/RELEASING   | SUCCEEDED/DELIVERED/    | =          | CaptureHold / ReleaseHold
 *                  | unanswered, reconcile due  | FAILED                  |            | again
 * </pre>
 *
 * A callback (anyone who saw the job's callback URL can post one; KIE's signature covers only the task id) never
 * charges or delivers by itself: a success makes the saga ask KIE (recordInfo for that task id), and only what KIE
 * answers captures the hold. A failure is trusted only when KIE signed it.
 *
 * Every other combination is ignored and says why: a duplicate callback, a callback for a finished job, a late
 * KieTaskAccepted after the callback already came. So each input is idempotent and a hold is captured at most once.
 * The ledger's own answers (HoldCaptured, HoldReleased) only record what the ledger did.
 */
public final class JobSaga {
    private final SagaSettings settings;
    private final java.util.function.Function<String, java.time.Duration> kieTimeout;

    public JobSaga(SagaSettings settings) {
        this(settings, model -> settings.timeout());
    }

    /**
     * @param kieTimeout how long KIE may take for a job of a model, from the moment its hold is placed: the
     *                   shorter of {@code JOB_TIMEOUT} and the maximum age of the model's category
     */
    public JobSaga(SagaSettings settings, java.util.function.Function<String, java.time.Duration> kieTimeout) {
        this.settings = settings;
        this.kieTimeout = kieTimeout;
    }

    public Reaction react(JobState job, Message input, Instant now) {
        return switch (input) {
            case HoldRejected e -> onHoldRejected(job, e, now);
            case HoldPlaced e when job.status() == AWAITING_HOLD && job.deadlineAt() != null
                    && !now.isBefore(job.deadlineAt()) -> fail(job.withHold(HoldState.PLACED),
                    JobFailureReason.TIMED_OUT, ReleaseReason.TIMED_OUT,
                    "the ledger placed the hold after the job's deadline", now, "job.timed-out; hold came too late");
            case HoldPlaced e -> onHoldPlaced(job, now);
            case HoldCaptured e -> onHoldResolved(job, HoldState.CAPTURED, "hold.capture-confirmed", now);
            case HoldReleased e -> onHoldResolved(job, HoldState.RELEASED, "hold.release-confirmed", now);
            case KieTaskAccepted e -> onAccepted(job, e, now);
            case KieTaskRejected e -> onKieRejected(job, e, now);
            case KieTaskStatusObserved e ->
                    onTaskReport(job, e.taskId(), e.state(), e.resultUrls(), e.failCode(), e.failMessage(), now,
                            "poll");
            case CallbackReceived e when e.state() == KieTaskState.SUCCESS
                    || (!e.signatureVerified() && e.state().isTerminal()) -> onUnconfirmedReport(job, e, now);
            case CallbackReceived e ->
                    onTaskReport(job, e.taskId(), e.state(), e.resultUrls(), e.failCode(), e.failMessage(), now,
                            "callback");
            case ResultDelivered e -> onDelivered(job, e, now);
            case DeliveryFailed e -> Reaction.ignore(job, "delivery.failed-recorded");
            case KieEvent.KieTaskSubmissionUncertain e -> Reaction.ignore(job,
                    "kie.submission-uncertain-ignored; a callback or poll naming the job adopts the task, else the"
                            + " deadline fails the job");
            case LedgerEvent.HoldCommandRefused e -> onHoldCommandRefused(job, e);
            case LedgerEvent.DepositRefused e -> Reaction.ignore(job, "not a job event");
            case LedgerEvent.FundsDeposited e -> Reaction.ignore(job, "not a job event");
            case LedgerEvent.FundsDebited e -> Reaction.ignore(job, "not a job event");
            case LedgerEvent.DebitRefused e -> Reaction.ignore(job, "not a job event");
            case JobEvent e -> Reaction.ignore(job, "not an input of the saga: its own output");
            case io.kiepipeline.schemas.KieAccountEvent e -> Reaction.ignore(job, "not a job event");
            case GatewayEvent.GenerationRequested e -> Reaction.ignore(job, "generation.requested-again; the job exists");
            case LedgerCommand c -> throw new IllegalArgumentException("the saga does not take commands: " + c);
            case KieCommand c -> throw new IllegalArgumentException("the saga does not take commands: " + c);
            case io.kiepipeline.schemas.ChatCommand c ->
                    throw new IllegalArgumentException("the saga does not take commands: " + c);
            case io.kiepipeline.schemas.TelegramUpdate u -> Reaction.ignore(job, "not a job event");
        };
    }

    /** The timer: the deadline passed, a poll is due, or a command to the ledger went unanswered. */
    public Reaction tick(JobState job, Instant now) {
        boolean checkDue = job.nextPollAt() != null && !now.isBefore(job.nextPollAt());
        if (job.status() == AWAITING_HOLD) {
            if (job.deadlineAt() != null && !now.isBefore(job.deadlineAt())) {
                // The ledger never answered. The release is ordered after the PlaceHold on the user's key: it frees a
                // hold placed late, and is refused harmlessly when none was placed.
                return fail(job.withHold(HoldState.PLACED), JobFailureReason.TIMED_OUT, ReleaseReason.TIMED_OUT,
                        "the ledger did not place the hold in time", now, "job.timed-out; no answer from the ledger");
            }
            if (checkDue) {
                return Reaction.to(job.withPoll(job.pollAttempts() + 1, now.plus(reconcileDelay(job))),
                        "hold.reconcile; PlaceHold sent again", new LedgerCommand.PlaceHold(job.holdId(),
                                job.jobId(), job.userId(), job.priceMinor(), job.currency()));
            }
            return Reaction.ignore(job, "job.tick-nothing-due");
        }
        if (job.hold() == HoldState.CAPTURING || job.hold() == HoldState.RELEASING) {
            if (!checkDue || job.status().awaitsKie()) {
                return Reaction.ignore(job, "job.tick-nothing-due");
            }
            Message again = job.hold() == HoldState.CAPTURING
                    ? new LedgerCommand.CaptureHold(job.holdId(), job.jobId(), job.userId())
                    : new LedgerCommand.ReleaseHold(job.holdId(), job.jobId(), job.userId(), releaseReasonOf(job));
            return Reaction.to(job.withPoll(job.pollAttempts() + 1, now.plus(reconcileDelay(job))),
                    "hold.reconcile; " + (job.hold() == HoldState.CAPTURING ? "CaptureHold" : "ReleaseHold")
                            + " sent again", again);
        }
        if (lateWatched(job)) {
            return lateTick(job, now, checkDue);
        }
        if (!job.status().awaitsKie()) {
            return Reaction.ignore(job, "job.tick-ignored; job is " + job.status());
        }
        if (job.deadlineAt() != null && !now.isBefore(job.deadlineAt())) {
            return fail(job, JobFailureReason.TIMED_OUT, ReleaseReason.TIMED_OUT,
                    "KIE did not finish the task in time", now, "job.timed-out");
        }
        if (job.status() == SUBMITTING && job.candidateTaskId() != null && checkDue) {
            int attempts = job.pollAttempts() + 1;
            return Reaction.to(job.withPoll(attempts, now.plus(settings.pollDelay(false, attempts))),
                    "kie.poll-requested; the task a callback named", new KieCommand.PollKieTask(job.jobId(),
                            job.candidateTaskId(), attempts));
        }
        if (job.status() == RUNNING && job.nextPollAt() != null && !now.isBefore(job.nextPollAt())) {
            int attempts = job.pollAttempts() + 1;
            return Reaction.to(job.withPoll(attempts, now.plus(settings.pollDelay(job.callbackExpected(), attempts))),
                    "kie.poll-requested", new KieCommand.PollKieTask(job.jobId(), job.taskId(), attempts));
        }
        return Reaction.ignore(job, "job.tick-nothing-due");
    }

    private Reaction onHoldPlaced(JobState job, Instant now) {
        if ((job.status() == FAILED || job.status() == REJECTED) && job.isPaid()
                && job.hold() != HoldState.RELEASING && job.hold() != HoldState.RELEASED) {
            // Placed after the job ended (a PlaceHold replayed from a dead-letter topic, or re-sent and applied after
            // the release was refused as HOLD_NOT_FOUND): nobody will use this money, give it back.
            return Reaction.to(job.withHold(HoldState.RELEASING).withPoll(0,
                            now.plus(settings.reconcileAfter())), "hold.released; placed after the job ended",
                    new LedgerCommand.ReleaseHold(job.holdId(), job.jobId(), job.userId(), releaseReasonOf(job)));
        }
        if (job.status() != AWAITING_HOLD) {
            return Reaction.ignore(job, "hold.placed-ignored; job is " + job.status());
        }
        // KIE's time starts now: waiting for the ledger had its own limit
        JobState next = job.withStatus(SUBMITTING).withHold(HoldState.PLACED).withPoll(0, null)
                .withDeadline(now.plus(kieTimeout.apply(job.model())));
        return Reaction.to(next, "job.submit-requested", submit(next));
    }

    /**
     * A callback is a hint: KIE's signature covers only the task id and a timestamp, never the state or the result
     * URLs, so a success (signed or not) and an unsigned failure are confirmed by asking KIE (recordInfo for that task
     * id) before any money moves or anything is delivered. Only a signed failure is taken as it is: it can only give
     * the user's money back.
     */
    private Reaction onUnconfirmedReport(JobState job, CallbackReceived e, Instant now) {
        if (e.taskId() == null || e.taskId().length() > Limits.TASK_ID) {
            return Reaction.ignore(job, "callback.ignored; no task id a task could have");
        }
        if (!job.status().awaitsKie() && !lateWatched(job)) {
            return Reaction.ignore(job, "callback.ignored; job is already " + job.status());
        }
        if (job.taskId() != null && !job.taskId().equals(e.taskId())) {
            return Reaction.ignore(job, "callback.ignored; task " + e.taskId() + " is not the job's task "
                    + job.taskId());
        }
        if (lateWatched(job)) {
            // a timed-out job's task finished after all: confirm with KIE before anything is delivered
            // the first candidate stays: a later (perhaps forged) callback cannot replace the task being watched
            return new Reaction(job.taskId() != null || job.candidateTaskId() != null ? job
                    : job.withCandidate(e.taskId()),
                    List.of(new KieCommand.PollKieTask(job.jobId(), e.taskId(), job.pollAttempts() + 1)),
                    "callback.late-confirming; the timed-out job's task reported, asking KIE", true);
        }
        int attempt = job.pollAttempts() + 1;
        // With no task of its own yet, the job keeps the callback's task id as a candidate for the timer to poll
        // again if this first answer is lost: never as its task until KIE confirms it belongs to this job.
        JobState next = job.taskId() != null ? job : job.withCandidate(e.taskId())
                .withPoll(job.pollAttempts(), now.plus(settings.pollDelay(false, attempt)));
        return new Reaction(next, List.of(new KieCommand.PollKieTask(job.jobId(), e.taskId(), attempt)),
                "callback.confirming; asking KIE before money moves", true);
    }

    /** The ledger refused a capture or release: record what the hold really is, so reconciling stops. */
    private Reaction onHoldCommandRefused(JobState job, LedgerEvent.HoldCommandRefused e) {
        HoldState actual = switch (e.reason()) {
            case HOLD_ALREADY_CAPTURED -> HoldState.CAPTURED;
            case HOLD_ALREADY_RELEASED -> HoldState.RELEASED;
            case HOLD_NOT_FOUND -> HoldState.NONE;
            case HOLD_WAS_REJECTED -> HoldState.REJECTED;
        };
        if (job.hold() == actual) {
            return Reaction.ignore(job, "hold.command-refused-duplicate");
        }
        return new Reaction(job.withHold(actual), List.of(), "hold.command-refused; the ledger refused "
                + e.command() + ": " + e.reason(), true);
    }

    /** Sending a command again backs off: reconcileAfter, doubling each time, at most 32 times it. */
    private Duration reconcileDelay(JobState job) {
        return settings.reconcileAfter().multipliedBy(1L << Math.min(job.pollAttempts(), 5));
    }

    /** Why the hold goes back, from why the job ended (a failure reason, or a rejection's, or none). */
    private static ReleaseReason releaseReasonOf(JobState job) {
        JobFailureReason failure = java.util.Arrays.stream(JobFailureReason.values())
                .filter(r -> r.name().equals(job.reason())).findFirst().orElse(null);
        if (failure == null) {
            return job.status() == FAILED ? ReleaseReason.TASK_FAILED : ReleaseReason.CANCELLED;
        }
        return switch (failure) {
            case KIE_REJECTED -> ReleaseReason.KIE_REJECTED;
            case TIMED_OUT -> ReleaseReason.TIMED_OUT;
            case TASK_FAILED, NO_RESULT -> ReleaseReason.TASK_FAILED;
        };
    }

    private Reaction onHoldRejected(JobState job, HoldRejected e, Instant now) {
        if (job.status() != AWAITING_HOLD) {
            return Reaction.ignore(job, "hold.rejected-ignored; job is " + job.status());
        }
        JobRejectionReason reason = switch (e.reason()) {
            case INSUFFICIENT_FUNDS -> JobRejectionReason.INSUFFICIENT_FUNDS;
            case CURRENCY_MISMATCH, INVALID_AMOUNT, EXISTS_WITH_DIFFERENT_AMOUNT -> JobRejectionReason.HOLD_REJECTED;
        };
        String detail = e.reason() == io.kiepipeline.schemas.HoldRejectionReason.INSUFFICIENT_FUNDS
                ? "insufficient funds: the job costs " + e.amountMinor() + " and " + e.availableMinor()
                + " is available (minor units of " + e.currency() + ")"
                : "the ledger refused the hold: " + e.reason();
        JobState next = job.withStatus(REJECTED).withHold(HoldState.REJECTED).withReason(reason.name(), detail);
        return Reaction.to(next, "job.rejected", new JobEvent.JobRejected(job.jobId(), job.userId(), job.chatId(),
                job.model(), reason, detail, now));
    }

    private Reaction onHoldResolved(JobState job, HoldState resolved, String step, Instant now) {
        if (job.hold() == resolved) {
            return Reaction.ignore(job, step + "-duplicate");
        }
        JobState next = job.withHold(resolved);
        if (lateWatched(next)) {
            // the money is back; the task is still watched, since KIE finishes (and bills) it anyway
            next = next.withPoll(0, now.plus(settings.latePollDelay(0)));
            step = step + "; the timed-out job's task stays watched";
        } else if (next.status().isFinished()) {
            // settled: nothing more is due for this job
            next = next.withPoll(next.pollAttempts(), null);
        }
        return new Reaction(next, List.of(), step, true);
    }

    /**
     * A job that timed out while its task may still run: KIE finishes and bills an abandoned task, so it is polled
     * slowly for {@code lateWatch} after the deadline, and a late result is delivered (free: the hold was released and
     * the user told nothing was charged; docs/adr/0010-late-results.md). Not while a release is still unanswered.
     */
    private static boolean lateWatched(JobState job) {
        return job.lateWatched();
    }

    private Reaction lateTick(JobState job, Instant now, boolean checkDue) {
        if (!checkDue) {
            return Reaction.ignore(job, "job.tick-nothing-due");
        }
        if (!now.isBefore(job.deadlineAt().plus(settings.lateWatch()))) {
            return new Reaction(job.withPoll(job.pollAttempts(), null), List.of(),
                    "job.late-watch-ended; the timed-out job's task never finished", true);
        }
        String task = job.taskId() != null ? job.taskId() : job.candidateTaskId();
        int attempts = job.pollAttempts() + 1;
        return Reaction.to(job.withPoll(attempts, now.plus(settings.latePollDelay(attempts))),
                "kie.late-poll-requested; the job timed out, its task is still watched",
                new KieCommand.PollKieTask(job.jobId(), task, attempts));
    }

    /** KIE's final word on a timed-out job's task: a result is delivered late, free; a failure ends the watch. */
    private Reaction onLateReport(JobState job, String taskId, KieTaskState state, List<String> urls, Instant now,
                                  String via) {
        String task = job.taskId() != null ? job.taskId() : job.candidateTaskId();
        if (taskId != null && !taskId.equals(task)) {
            return Reaction.ignore(job, via + ".ignored; task " + taskId + " is not the job's task " + task);
        }
        JobState withTask = job.taskId() == null ? job.withTask(taskId, job.callbackExpected()).withCandidate(null)
                : job;
        if (state == KieTaskState.FAIL || urls.isEmpty()) {
            return new Reaction(withTask.withPoll(job.pollAttempts(), null), List.of(),
                    "job.late-task-ended; the timed-out job's task failed or gave no result", true);
        }
        JobState next = withTask.withResult(urls).withPoll(job.pollAttempts(), null);
        return Reaction.to(next, "job.late-result; delivered free, the job had timed out",
                new JobEvent.JobLateResult(job.jobId(), job.userId(), job.chatId(), job.model(), job.outputType(),
                        urls, now));
    }

    private Reaction onAccepted(JobState job, KieTaskAccepted e, Instant now) {
        if (job.status() != SUBMITTING) {
            // The callback may have come first: the job is already finished. Keep the task id for the record.
            JobState kept = job.taskId() == null ? job.withTask(e.taskId(), e.callbackExpected()) : job;
            return new Reaction(kept, List.of(), "kie.accepted-late; job is " + job.status(), kept != job);
        }
        JobState next = job.withStatus(RUNNING).withTask(e.taskId(), e.callbackExpected()).withCandidate(null)
                .withPoll(0, now.plus(settings.pollDelay(e.callbackExpected(), 0)));
        return Reaction.to(next, "job.submitted", new JobEvent.JobSubmitted(job.jobId(), job.userId(), e.taskId(),
                now));
    }

    private Reaction onKieRejected(JobState job, KieTaskRejected e, Instant now) {
        if (job.status() != SUBMITTING) {
            return Reaction.ignore(job, "kie.rejected-ignored; job is " + job.status());
        }
        return fail(job, JobFailureReason.KIE_REJECTED, ReleaseReason.KIE_REJECTED,
                "KIE refused the task: " + e.code() + " " + e.message(), now, "job.failed");
    }

    private Reaction onTaskReport(JobState job, String taskId, KieTaskState state, List<String> urls,
                                  String failCode, String failMessage, Instant now, String via) {
        if (!state.isTerminal()) {
            return Reaction.ignore(job, via + ".in-progress; state " + state.wire());
        }
        if (lateWatched(job)) {
            if (job.taskId() == null && state == KieTaskState.FAIL && "404".equals(failCode)) {
                return Reaction.ignore(job, via + ".ignored; KIE does not know the task a callback named");
            }
            return onLateReport(job, taskId, state, urls, now, via);
        }
        if (!job.status().awaitsKie()) {
            return Reaction.ignore(job, via + ".ignored; job is already " + job.status());
        }
        if (job.taskId() != null && taskId != null && !job.taskId().equals(taskId)) {
            return Reaction.ignore(job, via + ".ignored; task " + taskId + " is not the job's task " + job.taskId());
        }
        if (job.taskId() == null && state == KieTaskState.FAIL && "404".equals(failCode)) {
            // a task a callback named that KIE does not know: not this job's; its own may still come
            return Reaction.ignore(job, via + ".ignored; KIE does not know the task a callback named");
        }
        JobState withTask = job.taskId() == null ? job.withTask(taskId, job.callbackExpected()).withCandidate(null)
                : job;
        if (state == KieTaskState.FAIL) {
            String detail = "KIE task failed" + (failCode == null || failCode.isBlank() ? "" : ": " + failCode)
                    + (failMessage == null || failMessage.isBlank() ? "" : " " + failMessage);
            return fail(withTask, JobFailureReason.TASK_FAILED, ReleaseReason.TASK_FAILED, detail, now,
                    "job.failed");
        }
        if (urls.isEmpty()) {
            return fail(withTask, JobFailureReason.NO_RESULT, ReleaseReason.TASK_FAILED,
                    "KIE reported success without a result URL", now, "job.failed");
        }
        JobState next = withTask.withStatus(SUCCEEDED).withResult(urls)
                .withHold(job.isPaid() ? HoldState.CAPTURING : HoldState.NONE)
                .withPoll(0, job.isPaid() ? now.plus(settings.reconcileAfter()) : null);
        List<Message> emit = new ArrayList<>();
        if (job.isPaid()) {
            emit.add(new LedgerCommand.CaptureHold(job.holdId(), job.jobId(), job.userId()));
        }
        emit.add(new JobEvent.JobSucceeded(job.jobId(), job.userId(), job.chatId(), job.model(), job.outputType(),
                urls, job.priceMinor(), job.currency(), now, promptOf(job)));
        return new Reaction(next, emit, "job.succeeded", true);
    }

    /** What the user asked for, in their words: the input's prompt (or text, for speech), for the result's caption. */
    static String promptOf(JobState job) {
        Object prompt = job.input() == null ? null : job.input().getOrDefault("prompt", job.input().get("text"));
        return prompt instanceof String p && !p.isBlank() ? p.strip() : null;
    }

    private Reaction onDelivered(JobState job, ResultDelivered e, Instant now) {
        if (e.kind() != NoticeKind.RESULT) {
            return Reaction.ignore(job, "notice.delivered");
        }
        if (job.status() != SUCCEEDED) {
            return Reaction.ignore(job, "delivery.ignored; job is " + job.status());
        }
        return Reaction.to(job.withStatus(DELIVERED), "job.delivered",
                new JobEvent.JobDelivered(job.jobId(), job.userId(), now));
    }

    private Reaction fail(JobState job, JobFailureReason reason, ReleaseReason release, String detail, Instant now,
                          String step) {
        JobState failed = job.withStatus(FAILED).withReason(reason.name(), Limits.cap(detail, Limits.DETAIL))
                .withHold(job.isPaid() ? HoldState.RELEASING : HoldState.NONE);
        // a paid job's timer reconciles the release first; a timed-out free job's task is watched at once
        JobState next = failed.withPoll(0, job.isPaid() ? now.plus(settings.reconcileAfter())
                : lateWatched(failed) ? now.plus(settings.latePollDelay(0)) : null);
        List<Message> emit = new ArrayList<>();
        if (job.isPaid()) {
            emit.add(new LedgerCommand.ReleaseHold(job.holdId(), job.jobId(), job.userId(), release));
        }
        emit.add(new JobEvent.JobFailed(job.jobId(), job.userId(), job.chatId(), job.model(), reason,
                Limits.cap(detail, Limits.DETAIL), now));
        return new Reaction(next, emit, step, true);
    }

    private static KieCommand.SubmitKieTask submit(JobState job) {
        // job.deadlineAt() is KIE's deadline here: set when the hold was placed (or the free job was created)
        return new KieCommand.SubmitKieTask(job.jobId(), job.userId(), job.model(), job.input(), job.deadlineAt());
    }
}
