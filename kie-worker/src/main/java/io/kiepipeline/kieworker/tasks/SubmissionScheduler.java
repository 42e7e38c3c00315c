package io.kiepipeline.kieworker.tasks;

import io.kiepipeline.kieworker.client.KieClient;
import io.kiepipeline.platform.consuming.Failures;
import io.kiepipeline.kieworker.client.KieResponse;
import io.kiepipeline.schemas.MessageCodec;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import tools.jackson.core.type.TypeReference;

/**
 * Calls createTask for the rows that are due, off the Kafka consumer threads: claim in a short transaction (SKIP
 * LOCKED, so several instances share the rows), call KIE with no transaction open, record the outcome in a second
 * one. Up to {@code concurrency} calls run at once, so one slow KIE answer does not hold up the other jobs. Nothing
 * here sleeps for a back-off or the rate limit: those are due times on the rows; the loop itself waits for the next
 * period or for a wake-up after a new row is committed.
 */
@Component
class SubmissionScheduler implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(SubmissionScheduler.class);
    /** How long an outcome the database refused for a moment keeps being recorded again. */
    private static final Duration RECORD_PATIENCE = Duration.ofMinutes(1);
    private static final TypeReference<Map<String, Object>> INPUT = new TypeReference<>() {
    };

    private final Submissions submissions;
    private final KieClient kie;
    private final io.kiepipeline.kieworker.accounts.KieAccounts accounts;
    private final KieSettings settings;
    private final Clock clock;
    private final Duration period;
    private final Duration lease;
    private final int concurrency;
    private final Semaphore slots;
    private final Object signal = new Object();
    private boolean woken;
    private volatile boolean running;
    private Thread loop;
    private ScheduledExecutorService calls;

    @org.springframework.beans.factory.annotation.Autowired
    SubmissionScheduler(Submissions submissions, KieClient kie, io.kiepipeline.kieworker.accounts.KieAccounts accounts,
                        KieSettings settings, Clock clock, io.kiepipeline.kieworker.KieWorkerSettings worker) {
        this(submissions, kie, accounts, settings, clock, worker.submit().period(), worker.submit().concurrency(),
                worker.submit().leaseMargin());
    }

    SubmissionScheduler(Submissions submissions, KieClient kie, io.kiepipeline.kieworker.accounts.KieAccounts accounts,
                        KieSettings settings, Clock clock, Duration period, int concurrency, Duration leaseMargin) {
        this.submissions = submissions;
        this.kie = kie;
        this.accounts = accounts;
        this.settings = settings;
        this.clock = clock;
        this.period = period;
        this.concurrency = Math.max(1, concurrency);
        this.slots = new Semaphore(this.concurrency);
        // a call ends (answered or lost) within the connect timeout plus the request timeout; past that plus a margin,
        // an IN_FLIGHT row's worker is gone
        this.lease = KieClient.CONNECT_TIMEOUT.plus(kie.requestTimeout()).plus(leaseMargin);
    }

    /** A new row is committed: look at once instead of at the next period. */
    void wakeUp() {
        synchronized (signal) {
            woken = true;
            signal.notifyAll();
        }
    }

    /** One pass: expire lost leases, claim what fits in the free call slots, hand the claims to the callers. */
    void runOnce() {
        while (submissions.expireLeases(100) == 100) {
            // a full batch: more may have run out
        }
        int free = slots.availablePermits();
        if (free == 0) {
            return;
        }
        List<Submissions.Claim> claims = submissions.claim(free, lease);
        for (Submissions.Claim c : claims) {
            slots.acquireUninterruptibly();
            try {
                calls.execute(() -> call(c));
            } catch (RuntimeException e) {
                // the executor is shutting down: the row stays IN_FLIGHT and its lease makes it UNCERTAIN
                slots.release();
                throw e;
            }
        }
    }

    private void call(Submissions.Claim c) {
        try {
            if (submissions.rejectIfLate(c)) {
                return;
            }
            // decided now, not at intent: PUBLIC_BASE_URL may have changed with a restart in between
            String callBackUrl = settings.callbacks() ? callbackUrl(c) : null;
            log.atInfo().addKeyValue("jobId", c.jobId()).addKeyValue("userId", c.userId())
                    .addKeyValue("model", c.model()).addKeyValue("family", c.family()).addKeyValue("key", c.keyId())
                    .addKeyValue("attempt", c.attempt())
                    .addKeyValue("callback", callBackUrl != null).log("kie.create-task.request");
            KieResponse response = kie.createTask(accounts.byIdOrFirst(c.keyId()).apiKey(), c.family(), c.kieModel(),
                    callBackUrl, MessageCodec.mapper().readValue(c.input(), INPUT));
            log.atInfo().addKeyValue("jobId", c.jobId()).addKeyValue("httpStatus", response.httpStatus())
                    .addKeyValue("code", response.code()).addKeyValue("msg", response.msg())
                    .addKeyValue("taskId", response.taskId()).addKeyValue("outcome", response.createTaskOutcome())
                    .log("kie.create-task.response");
            if (Thread.currentThread().isInterrupted() && response.transport() != KieResponse.Transport.ANSWERED) {
                // stopped mid-call: leave the row IN_FLIGHT; its lease running out records it as uncertain
                return;
            }
            record(c, response, callBackUrl != null, System.nanoTime() + RECORD_PATIENCE.toNanos(), 200);
        } catch (RuntimeException e) {
            // the outcome could not be recorded: the row stays IN_FLIGHT and its lease makes it UNCERTAIN (never sent
            // twice)
            log.atError().addKeyValue("jobId", c.jobId()).setCause(e).log("kie.create-task.record-failed");
        } finally {
            slots.release();
            wakeUp();
        }
    }

    /**
     * KIE's answer exists only in memory until it is recorded: a database blip must not turn a known task id into an
     * uncertain submission. A transient failure is recorded again later, as a task scheduled on the call pool (no
     * thread waits for it), doubling from 200 ms for up to a minute; the row stays IN_FLIGHT meanwhile, and an answer
     * recorded after its lease ran out is still taken.
     */
    private void record(Submissions.Claim c, KieResponse response, boolean callback, long giveUpAt, long pauseMs) {
        try {
            submissions.record(c, response, callback);
        } catch (RuntimeException e) {
            if (Failures.classify(e) != Failures.Kind.TRANSIENT || System.nanoTime() > giveUpAt || !running) {
                throw e;
            }
            log.atWarn().addKeyValue("jobId", c.jobId()).addKeyValue("retryInMs", pauseMs)
                    .addKeyValue("reason", e.getClass().getSimpleName())
                    .log("kie.create-task.record-retrying; the database refused the outcome for now");
            calls.schedule(() -> {
                try {
                    record(c, response, callback, giveUpAt, Math.min(pauseMs * 2, 5_000));
                } catch (RuntimeException again) {
                    log.atError().addKeyValue("jobId", c.jobId()).setCause(again)
                            .log("kie.create-task.record-failed");
                }
            }, pauseMs, TimeUnit.MILLISECONDS);
        }
    }

    private String callbackUrl(Submissions.Claim c) {
        String base = settings.publicBaseUrl().endsWith("/")
                ? settings.publicBaseUrl().substring(0, settings.publicBaseUrl().length() - 1)
                : settings.publicBaseUrl();
        // the token expires with the job: its deadline plus the time KIE keeps retrying a callback
        java.time.Instant expiry = c.deadlineAt() != null ? c.deadlineAt().plus(settings.callbackTokenMargin())
                : clock.instant().plus(Duration.ofHours(24));
        String jobId = c.jobId().toString();
        return base + "/kie/callback/" + jobId + "?token=" + settings.callbackTokens().tokenFor(jobId, expiry);
    }

    private void loop() {
        while (running) {
            try {
                runOnce();
            } catch (RuntimeException e) {
                log.atWarn().setCause(e).log("kie.submit-scheduler-failed; retrying on the next period");
            }
            synchronized (signal) {
                if (!woken && running) {
                    try {
                        signal.wait(period.toMillis());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
                woken = false;
            }
        }
    }

    @Override
    public void start() {
        running = true;
        calls = Executors.newScheduledThreadPool(concurrency, Thread.ofPlatform().name("kie-submit-call-", 0)
                .daemon().factory());
        loop = Thread.ofPlatform().name("kie-submit-scheduler").daemon().start(this::loop);
    }

    @Override
    public void stop() {
        running = false;
        wakeUp();
        if (loop != null) {
            loop.interrupt();
            try {
                loop.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (calls != null) {
            // let calls under way finish and record their outcome (bounded by KIE's timeouts)
            calls.shutdown();
            try {
                if (!calls.awaitTermination(kie.requestTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS)) {
                    calls.shutdownNow();
                }
            } catch (InterruptedException e) {
                calls.shutdownNow();
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        // stops before the outbox relay (MAX_VALUE - 1000), so that the outcomes of the last calls are published
        return Integer.MAX_VALUE - 500;
    }
}
