package io.kiepipeline.kieworker.tasks;

import io.kiepipeline.kieworker.accounts.KieAccounts;
import io.kiepipeline.kieworker.client.CreateTaskThrottle;
import io.kiepipeline.kieworker.client.KieResponse;
import io.kiepipeline.platform.outbox.OutboxWriter;
import io.kiepipeline.schemas.JobId;
import io.kiepipeline.schemas.KieEvent;
import io.kiepipeline.schemas.Limits;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The short transactions around a createTask call: claiming due rows before it, recording its outcome after it. Each
 * commits before KIE is called or after it answered; no connection is held while the call is under way.
 */
@Component
class Submissions {
    static final int DEADLINE_PASSED = 408;
    private static final Logger log = LoggerFactory.getLogger(Submissions.class);

    /** A row claimed for one createTask call. */
    record Claim(UUID jobId, String model, long userId, String input, Instant deadlineAt, int attempt,
                 boolean callbackExpected, String causationId, io.kiepipeline.schemas.KieApiFamily family,
                 String kieModel, String keyId) {
    }

    /** How long rows wait when no KIE key can take them (every breaker open) before they are looked at again. */
    static final Duration PAUSE = Duration.ofSeconds(5);

    private final KieTasks tasks;
    private final OutboxWriter outbox;
    private final CreateTaskThrottle throttle;
    private final KieAccounts accounts;
    private final java.util.concurrent.atomic.AtomicInteger rotation = new java.util.concurrent.atomic.AtomicInteger();
    private final KieSettings settings;
    private final Clock clock;
    private final TransactionTemplate tx;
    private final Counter uncertain;
    private final Counter leasesExpired;

    Submissions(KieTasks tasks, OutboxWriter outbox, CreateTaskThrottle throttle, KieAccounts accounts,
                KieSettings settings, Clock clock, PlatformTransactionManager txManager,
                ObjectProvider<MeterRegistry> meters) {
        this.tasks = tasks;
        this.outbox = outbox;
        this.throttle = throttle;
        this.accounts = accounts;
        this.settings = settings;
        this.clock = clock;
        this.tx = new TransactionTemplate(txManager);
        MeterRegistry registry = meters.getIfAvailable(SimpleMeterRegistry::new);
        this.uncertain = Counter.builder("pipeline.kie.submissions.ambiguous")
                .description("createTask calls whose answer was lost: KIE may have made (and billed) a task")
                .register(registry);
        this.leasesExpired = Counter.builder("pipeline.reconciler.repairs").tag("kind", "submission_lease_expired")
                .description("state repaired by a timer or reconciler").register(registry);
    }

    /**
     * Claims up to {@code max} due rows for a call: each gets IN_FLIGHT, attempt + 1, a lease ending at
     * {@code now + lease} and a KIE key: the next usable key (breaker closed, credits not spent) whose own window has
     * room, in turn. A row whose job's deadline passed is rejected instead (408, KIE not called); when no usable key
     * has room the rest stay PENDING, due when one has; when no key is usable at all they wait {@link #PAUSE} and are
     * looked at again (the job's deadline still applies).
     */
    List<Claim> claim(int max, Duration lease) {
        return tx.execute(status -> {
            Instant now = clock.instant();
            List<Claim> claims = new ArrayList<>();
            List<KieAccounts.Key> usable = null;
            for (KieTasks.Row row : tasks.lockDuePending(now, max)) {
                if (deadlinePassed(row.deadlineAt(), now)) {
                    rejectLate(row.jobId(), row.attempts(), row.deadlineAt(), row.causationId(), now);
                    continue;
                }
                if (usable == null) {
                    usable = accounts.usable();
                }
                if (usable.isEmpty()) {
                    tasks.postpone(row.jobId(), now.plus(PAUSE), now);
                    log.atWarn().addKeyValue("jobId", row.jobId())
                            .log("kie.create-task.paused; no KIE key can take tasks now (every breaker is open)");
                    continue;
                }
                KieAccounts.Key key = null;
                int start = Math.floorMod(rotation.getAndIncrement(), usable.size());
                for (int i = 0; i < usable.size() && key == null; i++) {
                    KieAccounts.Key candidate = usable.get((start + i) % usable.size());
                    if (throttle.tryAcquire(candidate.id())) {
                        key = candidate;
                    }
                }
                if (key != null) {
                    int attempt = row.attempts() + 1;
                    tasks.claim(row.jobId(), attempt, now.plus(lease), key.id(), now);
                    claims.add(new Claim(row.jobId(), row.model(), row.userId(), row.input(), row.deadlineAt(),
                            attempt, row.callbackExpected(), row.causationId(), row.family(),
                            row.kieModelOrModel(), key.id()));
                } else {
                    Instant room = usable.stream().map(k -> throttle.nextRoomAt(k.id())).min(Instant::compareTo)
                            .orElse(now.plus(PAUSE));
                    tasks.postpone(row.jobId(), room, now);
                    log.atInfo().addKeyValue("jobId", row.jobId()).addKeyValue("dueAt", room)
                            .log("kie.create-task.throttled; due again when a key's rate limit has room");
                }
            }
            return claims;
        });
    }

    /**
     * IN_FLIGHT rows whose lease ran out: the instance that claimed them died (or hung) while the request may have
     * been on its way. They become UNCERTAIN, exactly like a lost answer.
     */
    int expireLeases(int max) {
        return tx.execute(status -> {
            Instant now = clock.instant();
            List<KieTasks.Row> expired = tasks.lockExpiredLeases(now, max);
            int repaired = 0;
            for (KieTasks.Row row : expired) {
                if ("UNCERTAIN".equals(uncertain(row.jobId(), row.attempts(), "the createTask call's lease ran out"
                        + " (the worker stopped while the request may have been on its way)", row.causationId(),
                        now))) {
                    repaired++;
                }
            }
            int made = repaired;
            if (made > 0) {
                io.kiepipeline.platform.metrics.AfterCommit.run(() -> leasesExpired.increment(made));
            }
            return expired.size();
        });
    }

    /** Re-checked just before the call: a claim whose job's deadline has passed since is rejected, not sent. */
    boolean rejectIfLate(Claim c) {
        Instant now = clock.instant();
        if (!deadlinePassed(c.deadlineAt(), now)) {
            return false;
        }
        tx.executeWithoutResult(status -> rejectLate(c.jobId(), c.attempt(), c.deadlineAt(), c.causationId(), now));
        return true;
    }

    /**
     * Records what the call of a claim came to, with its event, in one transaction. {@code callbackSent}: whether the
     * call carried a callBackUrl (decided at call time, so a change of PUBLIC_BASE_URL between intent and call is
     * reported truthfully).
     */
    void record(Claim c, KieResponse response, boolean callbackSent) {
        tx.executeWithoutResult(status -> {
            Instant now = clock.instant();
            String recorded = switch (response.createTaskOutcome()) {
                case CREATED -> accept(c, response.taskId(), callbackSent, now);
                case REFUSED -> reject(c, response.code(), response.msg(), now);
                case ACCOUNT_REFUSED -> {
                    // the key's fault, not the job's: its breaker opens, and the job waits for a key that works
                    accounts.tripIfAccountRefused(accounts.byIdOrFirst(c.keyId()), response, "createTask");
                    yield tasks.retryLater(c.jobId(), c.attempt(), now.plusSeconds(1), describe(response), now)
                            ? "PENDING" : stale(c, "refused by the account");
                }
                case NOT_CREATED -> c.attempt() < settings.retryAttempts() ? retryLater(c, response, now)
                        : reject(c, response.code() == 0 ? 503 : response.code(),
                        "KIE unavailable after " + c.attempt() + " attempts: " + response.msg(), now);
                case AMBIGUOUS -> uncertain(c.jobId(), c.attempt(), describe(response), c.causationId(), now);
            };
            log.atDebug().addKeyValue("jobId", c.jobId()).addKeyValue("recorded", recorded)
                    .log("kie.create-task.outcome-recorded");
        });
    }

    private String accept(Claim c, String taskId, boolean callbackSent, Instant now) {
        if (!tasks.accept(c.jobId(), c.attempt(), taskId, callbackSent, now)) {
            return stale(c, "created");
        }
        outbox.append(new KieEvent.KieTaskAccepted(new JobId(c.jobId()), taskId, callbackSent, now),
                c.jobId().toString(), c.causationId());
        return "ACCEPTED";
    }

    private String retryLater(Claim c, KieResponse response, Instant now) {
        Duration backOff = settings.backOff(c.attempt());
        if (!tasks.retryLater(c.jobId(), c.attempt(), now.plus(backOff), describe(response), now)) {
            return stale(c, "not created");
        }
        log.atWarn().addKeyValue("jobId", c.jobId()).addKeyValue("httpStatus", response.httpStatus())
                .addKeyValue("code", response.code()).addKeyValue("attempt", c.attempt())
                .addKeyValue("retryInMs", backOff.toMillis()).log("kie.create-task.retrying; no task was made");
        return "PENDING";
    }

    static boolean deadlinePassed(Instant deadlineAt, Instant now) {
        return deadlineAt != null && !now.isBefore(deadlineAt);
    }

    static String lateMessage(Instant deadlineAt) {
        return "the job's deadline passed at " + deadlineAt + " before its task was submitted; KIE was not called";
    }

    private void rejectLate(UUID jobId, int attempts, Instant deadlineAt, String causationId, Instant now) {
        if (tasks.reject(jobId, attempts, DEADLINE_PASSED, lateMessage(deadlineAt), now)) {
            outbox.append(new KieEvent.KieTaskRejected(new JobId(jobId), DEADLINE_PASSED, lateMessage(deadlineAt),
                    now), jobId.toString(), causationId);
            log.atWarn().addKeyValue("jobId", jobId).addKeyValue("deadlineAt", deadlineAt)
                    .log("kie.create-task.deadline-passed; rejected without calling KIE");
        }
    }

    private String reject(Claim c, int code, String message, Instant now) {
        if (!tasks.reject(c.jobId(), c.attempt(), code, message, now)) {
            return stale(c, "rejected");
        }
        outbox.append(new KieEvent.KieTaskRejected(new JobId(c.jobId()), code, Limits.cut(message, Limits.DETAIL), now),
                c.jobId().toString(), c.causationId());
        log.atWarn().addKeyValue("jobId", c.jobId()).addKeyValue("code", code).addKeyValue("msg", message)
                .addKeyValue("attempt", c.attempt()).log("kie.create-task.rejected");
        return "REJECTED";
    }

    private String uncertain(UUID jobId, int attempt, String detail, String causationId, Instant now) {
        if (!tasks.markUncertain(jobId, attempt, detail, now)) {
            log.atInfo().addKeyValue("jobId", jobId).addKeyValue("attempt", attempt)
                    .log("kie.create-task.outcome-stale; the row moved on, nothing recorded");
            return "STALE";
        }
        outbox.append(new KieEvent.KieTaskSubmissionUncertain(new JobId(jobId), Limits.cut(detail, Limits.DETAIL), now),
                jobId.toString(), causationId);
        // counted once the row is UNCERTAIN for good: a transaction tried again would count it twice
        io.kiepipeline.platform.metrics.AfterCommit.run(uncertain::increment);
        log.atWarn().addKeyValue("jobId", jobId).addKeyValue("attempt", attempt).addKeyValue("detail", detail)
                .log("kie.create-task.uncertain; KIE may have made the task: not sent again, a callback or poll "
                        + "adopts it, else the job's deadline releases the hold");
        return "UNCERTAIN";
    }

    private static String stale(Claim c, String outcome) {
        log.atInfo().addKeyValue("jobId", c.jobId()).addKeyValue("attempt", c.attempt())
                .addKeyValue("outcome", outcome)
                .log("kie.create-task.outcome-stale; the row moved on (its lease ran out), nothing recorded");
        return "STALE";
    }

    private static String describe(KieResponse r) {
        return r.httpStatus() == 0 ? r.msg() : "HTTP " + r.httpStatus() + ", code " + r.code() + ": " + r.msg();
    }
}
