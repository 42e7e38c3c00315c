package io.kiepipeline.orchestrator.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kiepipeline.orchestrator.jobs.core.HoldState;
import io.kiepipeline.orchestrator.jobs.core.JobState;
import io.kiepipeline.orchestrator.jobs.core.JobStatus;
import io.kiepipeline.platform.consuming.Failures;
import io.kiepipeline.schemas.ChatId;
import io.kiepipeline.schemas.JobId;
import io.kiepipeline.schemas.OutputType;
import io.kiepipeline.schemas.RequestSource;
import io.kiepipeline.schemas.UserId;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.dao.OptimisticLockingFailureException;
import org.springframework.transaction.support.TransactionTemplate;

/** The job table over plain JDBC, on a real PostgreSQL. */
class JobStoreTest extends OrchestratorDatabaseTest {
    private static final AtomicLong USERS = new AtomicLong(5_000);
    private static final Instant T0 = Instant.parse("2026-11-29T10:00:00.123456Z");

    @Autowired
    JobStore jobs;
    @Autowired
    TransactionTemplate tx;

    @Test
    void aJobReadBackHasEveryColumnItWasWrittenWith() {
        JobState running = state(JobStatus.RUNNING, HoldState.PLACED, T0.plus(Duration.ofDays(1)));
        JobRecord written = JobRecord.create(running, "key-every-column", RequestSource.API, T0);
        written.priced("catalog-7", UUID.randomUUID());
        written.apply(withStatus(running, JobStatus.SUCCEEDED, HoldState.CAPTURING), T0.plusSeconds(1));
        written.apply(withStatus(running, JobStatus.DELIVERED, HoldState.CAPTURING), T0.plusSeconds(2));
        written.kieCredits(42);
        written.deliveryFailed("CHAT_BLOCKED: the user blocked the bot", T0.plusSeconds(3));
        written.notified(T0.plusSeconds(4));
        tx.executeWithoutResult(s -> jobs.insert(written));

        JobRecord read = jobs.find(written.jobId()).orElseThrow();

        assertThat(read.values()).as("every column, in order").containsExactly(written.values());
        assertThat(read.values()).as("every column was set, so none can be read into another").doesNotContainNull();
        assertThat(read.state()).isEqualTo(withStatus(running, JobStatus.DELIVERED, HoldState.CAPTURING));
    }

    @Test
    void aWriteFromAStaleCopyFailsInsteadOfOverwritingTheNewerOne() {
        JobRecord job = JobRecord.create(state(JobStatus.RUNNING, HoldState.PLACED, T0.plus(Duration.ofDays(1))),
                "key-stale", RequestSource.TELEGRAM, T0);
        tx.executeWithoutResult(s -> jobs.insert(job));
        JobRecord first = jobs.find(job.jobId()).orElseThrow();
        JobRecord stale = jobs.find(job.jobId()).orElseThrow();
        Instant firstLook = T0.plus(Duration.ofDays(2));
        first.postponeCheck(firstLook);
        tx.executeWithoutResult(s -> jobs.update(first));

        stale.postponeCheck(T0.plus(Duration.ofDays(3)));

        assertThatThrownBy(() -> tx.executeWithoutResult(s -> jobs.update(stale)))
                .isInstanceOf(OptimisticLockingFailureException.class)
                .satisfies(e -> assertThat(Failures.classify(e)).as("tried again, reading the row anew")
                        .isEqualTo(Failures.Kind.TRANSIENT));
        assertThat(jobs.find(job.jobId()).orElseThrow().state().nextPollAt()).isEqualTo(firstLook);
    }

    @Test
    void theTimerSkipsADueJobAnotherInstanceHoldsAndTakesTheOthers() throws InterruptedException {
        Instant past = Instant.now().minus(Duration.ofMinutes(1));
        JobRecord held = JobRecord.create(state(JobStatus.RUNNING, HoldState.PLACED, past), "key-held",
                RequestSource.API, T0);
        JobRecord free = JobRecord.create(state(JobStatus.RUNNING, HoldState.PLACED, past), "key-free",
                RequestSource.API, T0);
        tx.executeWithoutResult(s -> {
            jobs.insert(held);
            jobs.insert(free);
        });
        CountDownLatch locked = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(1);
        Thread otherInstance = Thread.ofPlatform().start(() -> tx.executeWithoutResult(s -> {
            jobs.lock(held.jobId()).orElseThrow();
            locked.countDown();
            try {
                done.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        try {
            assertThat(locked.await(30, TimeUnit.SECONDS)).isTrue();

            List<UUID> due = tx.execute(s -> jobs.lockDue(Instant.now(), 10_000).stream()
                    .map(JobRecord::jobId).toList());

            assertThat(due).contains(free.jobId()).doesNotContain(held.jobId());
        } finally {
            done.countDown();
            otherInstance.join();
        }
    }

    @Test
    void aFailureIsClassifiedInAProcessWithoutHibernate() {
        // this service has no JPA provider: the classification must not reach for one of its classes
        assertThat(Failures.class.getClassLoader().getResource("org/hibernate/StaleStateException.class")).isNull();
        assertThat(Failures.classify(new IllegalStateException("a bug"))).isEqualTo(Failures.Kind.UNKNOWN);
        assertThat(Failures.classify(new RuntimeException(new SQLException("deadlock detected", "40P01"))))
                .isEqualTo(Failures.Kind.TRANSIENT);
    }

    private static JobState state(JobStatus status, HoldState hold, Instant nextPollAt) {
        long user = USERS.incrementAndGet();
        return new JobState(new JobId(UUID.randomUUID()), new UserId(user), new ChatId(-user), "nano-banana-pro",
                Map.of("prompt", "a fox in the snow", "n", 2), OutputType.IMAGE, 1_250, "RUB", status, hold,
                "task-" + user, true, List.of("https://tempfile.aiquickdraw.com/r/" + user + ".png"), "KIE_FAILED",
                "a detail", 3, nextPollAt, T0.plus(Duration.ofMinutes(30)), "candidate-" + user);
    }

    private static JobState withStatus(JobState s, JobStatus status, HoldState hold) {
        return new JobState(s.jobId(), s.userId(), s.chatId(), s.model(), s.input(), s.outputType(), s.priceMinor(),
                s.currency(), status, hold, s.taskId(), s.callbackExpected(), s.resultUrls(), s.reason(), s.detail(),
                s.pollAttempts(), s.nextPollAt(), s.deadlineAt(), s.candidateTaskId());
    }
}
