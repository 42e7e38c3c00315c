package io.kiepipeline.kieworker.tasks;

import static org.assertj.core.api.Assertions.assertThat;

import io.kiepipeline.kieworker.accounts.KieAccounts;
import io.kiepipeline.kieworker.client.CreateTaskThrottle;
import io.kiepipeline.kieworker.client.KieResponse;
import io.kiepipeline.platform.callbacks.CallbackToken;
import io.kiepipeline.platform.outbox.OutboxRelay;
import io.kiepipeline.platform.outbox.OutboxWriter;
import io.kiepipeline.schemas.MessageCodec;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.kiepipeline.kieworker.testing.KieWorkerDatabase;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The submission table on real PostgreSQL: claims (SKIP LOCKED) never hand one row to two claimers, the throttle and
 * back-offs become due times, a passed deadline is refused without a call, and an answer that may have made a task is
 * recorded as uncertain once and never claimed again.
 */
class SubmissionClaimTest {
    private static final Instant T0 = Instant.parse("2026-11-28T12:00:00Z");
    private static final Duration LEASE = Duration.ofSeconds(40);
    private static EmbeddedPostgres postgres;
    private static DataSource dataSource;
    private static JdbcTemplate jdbc;
    private static TransactionTemplate tx;

    private final MutableClock clock = new MutableClock(T0);
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final KieTasks tasks = new KieTasks(jdbc);

    @BeforeAll
    static void start() throws Exception {
        postgres = KieWorkerDatabase.start();
        dataSource = postgres.getPostgresDatabase();
        jdbc = new JdbcTemplate(dataSource);
        tx = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
    }

    @AfterAll
    static void stop() throws Exception {
        postgres.close();
    }

    @BeforeEach
    void empty() {
        jdbc.update("delete from kie_task");
        jdbc.update("delete from outbox_message");
        jdbc.update("delete from kie_account");
    }

    @Test
    void twoClaimersNeverTakeTheSameRow() throws Exception {
        int rows = 300;
        for (int i = 0; i < rows; i++) {
            pending(UUID.randomUUID(), null);
        }
        Submissions submissions = submissions(1000, 6);
        Queue<UUID> claimed = new ConcurrentLinkedQueue<>();
        CyclicBarrier together = new CyclicBarrier(2);
        ExecutorService claimers = Executors.newFixedThreadPool(2);
        List<Future<?>> done = new ArrayList<>();
        for (int n = 0; n < 2; n++) {
            done.add(claimers.submit(() -> {
                together.await();
                while (jdbc.queryForObject("select count(*) from kie_task where state = 'PENDING'", Long.class) > 0) {
                    submissions.claim(7, LEASE).forEach(c -> claimed.add(c.jobId()));
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        claimers.shutdown();

        assertThat(claimed).hasSize(rows).doesNotHaveDuplicates();
        assertThat(jdbc.queryForObject("select count(*) from kie_task where state = 'IN_FLIGHT' and attempts = 1",
                Long.class)).isEqualTo(rows);
    }

    @Test
    void spreadsClaimsOverTheKeysEachUnderItsOwnWindow() {
        for (int i = 0; i < 5; i++) {
            pending(UUID.randomUUID(), null);
        }
        var accounts = accounts(List.of("first-kie-key-123", "second-kie-key-456"));
        Submissions submissions = submissions(2, 6, accounts);

        List<Submissions.Claim> claims = submissions.claim(10, LEASE);

        assertThat(claims).hasSize(4);
        assertThat(claims.stream().collect(java.util.stream.Collectors.groupingBy(Submissions.Claim::keyId,
                java.util.stream.Collectors.counting()))).containsOnlyKeys(accounts.keys().get(0).id(),
                accounts.keys().get(1).id()).allSatisfy((key, n) -> assertThat(n).isEqualTo(2L));
        assertThat(jdbc.queryForObject("select count(*) from kie_task where state = 'PENDING' and due_at > ?",
                Long.class, Timestamp.from(T0))).as("the fifth waits for a window").isEqualTo(1);
        assertThat(jdbc.queryForList("select key_id from kie_task where state = 'IN_FLIGHT'", String.class))
                .as("a task stays with the key that made it").hasSize(4).doesNotContainNull();
    }

    @Test
    void keepsAJobWaitingWhileNoKeyHasCreditsAndGoesOnWhenKieIsToppedUp() {
        UUID job = UUID.randomUUID();
        pending(job, null);
        var accounts = accounts(List.of("only-kie-key-789"));
        Submissions submissions = submissions(1000, 6, accounts);
        Submissions.Claim claim = submissions.claim(10, LEASE).getFirst();

        submissions.record(claim, new KieResponse(200, 402, "Insufficient Credits", null), true);

        assertThat(tasks.find(job).orElseThrow().state()).isEqualTo("PENDING");
        assertThat(events(job)).isEmpty();
        assertThat(usable(accounts)).isEmpty();
        assertThat(accountEvents()).last().satisfies(e -> assertThat(e).contains("\"available\":false")
                .contains("402 Insufficient Credits"));
        clock.now = T0.plusSeconds(2);
        assertThat(submissions.claim(10, LEASE)).as("no key: nothing is sent").isEmpty();
        assertThat(tasks.find(job).orElseThrow().state()).as("and the job is not failed").isEqualTo("PENDING");

        tx.executeWithoutResult(s -> accounts.recordCredits(accounts.keys().getFirst(),
                new KieResponse(200, 200, "success", MessageCodec.mapper().readTree("500"))));
        clock.now = T0.plus(Submissions.PAUSE).plusSeconds(3);

        assertThat(submissions.claim(10, LEASE)).singleElement().satisfies(c -> assertThat(c.jobId()).isEqualTo(job));
        assertThat(accountEvents()).last().satisfies(e -> assertThat(e).contains("\"available\":true")
                .contains("\"credits\":500"));
    }

    @Test
    void aKeyOverItsOwnLimitIsNotBackAtTheNextCreditCheckButAfterACoolDown() {
        var accounts = accounts(List.of("sub-key-over-limit-1"));
        KieAccounts.Key key = accounts.keys().getFirst();
        KieResponse credits = new KieResponse(200, 200, "success", MessageCodec.mapper().readTree("900"));
        tx.executeWithoutResult(s -> accounts.tripIfAccountRefused(key, new KieResponse(200, 433,
                "Sub-key usage exceeds its limit", null), "createTask"));

        tx.executeWithoutResult(s -> accounts.recordCredits(key, credits));
        assertThat(usable(accounts)).as("the account has credits, but the key is over its limit").isEmpty();

        clock.now = T0.plus(Duration.ofMinutes(11));
        tx.executeWithoutResult(s -> accounts.recordCredits(key, credits));
        assertThat(usable(accounts)).containsExactly(key);
    }

    @Test
    void opensTheBreakerOnceForABadKeyWhateverTheCall() {
        var accounts = accounts(List.of("revoked-kie-key-000"));
        KieAccounts.Key key = accounts.keys().getFirst();
        int atStart = accountEvents().size();
        KieResponse unauthorized = new KieResponse(200, 401, "You do not have access permissions", null);

        tx.executeWithoutResult(s -> accounts.tripIfAccountRefused(key, unauthorized, "recordInfo"));
        tx.executeWithoutResult(s -> accounts.tripIfAccountRefused(key, unauthorized, "createTask"));
        tx.executeWithoutResult(s -> accounts.tripIfAccountRefused(key, new KieResponse(200, 422, "recordInfo is null",
                null), "recordInfo"));

        assertThat(accountEvents()).hasSize(atStart + 1);
        assertThat(usable(accounts)).isEmpty();
        assertThat(states(accounts)).singleElement().satisfies(st -> {
            assertThat(st.available()).isFalse();
            assertThat(st.reason()).startsWith("401").contains("recordInfo");
        });
        assertThat(accountEvents()).noneMatch(e -> e.contains("revoked-kie-key-000"));
    }

    @Test
    void leavesRowsDueLaterWhenTheThrottleHasNoRoom() {
        for (int i = 0; i < 3; i++) {
            pending(UUID.randomUUID(), null);
        }
        Submissions submissions = submissions(1, 6);

        assertThat(submissions.claim(10, LEASE)).hasSize(1);
        assertThat(submissions.claim(10, LEASE)).as("none due before the window has room").isEmpty();
        assertThat(jdbc.queryForObject("select count(*) from kie_task where state = 'PENDING' and due_at = ?",
                Long.class, Timestamp.from(T0.plusSeconds(10)))).isEqualTo(2);
    }

    @Test
    void rejectsAJobWhoseDeadlinePassedWithoutClaimingIt() {
        UUID job = UUID.randomUUID();
        pending(job, T0.plusSeconds(5));
        clock.now = T0.plusSeconds(5);

        assertThat(submissions(1000, 6).claim(10, LEASE)).isEmpty();

        assertThat(tasks.find(job).orElseThrow()).satisfies(row -> {
            assertThat(row.state()).isEqualTo("REJECTED");
            assertThat(row.rejectCode()).isEqualTo(408);
            assertThat(row.attempts()).isZero();
        });
        assertThat(events(job)).singleElement().satisfies(e -> {
            assertThat(e.get("event_type")).isEqualTo("kie.task-rejected.v1");
            assertThat((String) e.get("payload")).contains("408").contains("deadline passed");
        });
    }

    @Test
    void recordsALostAnswerAsUncertainOnceAndNeverClaimsItAgain() {
        UUID job = UUID.randomUUID();
        pending(job, null);
        Submissions submissions = submissions(1000, 6);
        Submissions.Claim claim = submissions.claim(10, LEASE).getFirst();

        submissions.record(claim, KieResponse.answerLost("network error: HttpTimeoutException"), true);
        submissions.record(claim, KieResponse.answerLost("network error: HttpTimeoutException"), true);
        clock.now = T0.plus(Duration.ofHours(1));

        assertThat(submissions.claim(10, LEASE)).isEmpty();
        assertThat(submissions.expireLeases(10)).isZero();
        assertThat(tasks.find(job).orElseThrow().state()).isEqualTo("UNCERTAIN");
        assertThat(events(job)).singleElement()
                .satisfies(e -> assertThat(e.get("event_type")).isEqualTo("kie.task-submission-uncertain.v1"));
        assertThat(meters.counter("pipeline.kie.submissions.ambiguous").count()).isEqualTo(1.0);
    }

    @Test
    void retriesACallThatMadeNoTaskAfterTheBackOffThenGivesUp() {
        UUID job = UUID.randomUUID();
        pending(job, null);
        Submissions submissions = submissions(1000, 2);

        Submissions.Claim first = submissions.claim(10, LEASE).getFirst();
        submissions.record(first, new KieResponse(200, 429, "Rate limited", null), true);
        assertThat(tasks.find(job).orElseThrow().state()).isEqualTo("PENDING");
        assertThat(submissions.claim(10, LEASE)).as("not before the back-off").isEmpty();

        clock.now = T0.plusSeconds(1);
        Submissions.Claim second = submissions.claim(10, LEASE).getFirst();
        submissions.record(second, KieResponse.notSent("network error: ConnectException"), true);

        assertThat(second.attempt()).isEqualTo(2);
        assertThat(tasks.find(job).orElseThrow().state()).isEqualTo("REJECTED");
        assertThat(events(job)).singleElement().satisfies(e ->
                assertThat((String) e.get("payload")).contains("KIE unavailable after 2 attempts"));
    }

    @Test
    void takesACallWhoseLeaseRanOutAsUncertain() {
        UUID job = UUID.randomUUID();
        Submissions submissions = submissions(1000, 6);
        Submissions.Claim claim = aClaimWhoseLeaseRanOut(job, submissions);
        submissions.record(claim, new KieResponse(502, 502, "Bad gateway", null), true);

        assertThat(tasks.find(job).orElseThrow().state()).isEqualTo("UNCERTAIN");
        assertThat(events(job)).singleElement()
                .satisfies(e -> assertThat(e.get("event_type")).isEqualTo("kie.task-submission-uncertain.v1"));
    }

    @Test
    void adoptsATaskIdThatArrivesAfterTheLeaseRanOut() {
        UUID job = UUID.randomUUID();
        Submissions submissions = submissions(1000, 6);
        Submissions.Claim claim = aClaimWhoseLeaseRanOut(job, submissions);

        submissions.record(claim, new KieResponse(200, 200, "success",
                MessageCodec.mapper().readTree("{\"taskId\":\"task_late\"}")), true);

        assertThat(tasks.find(job).orElseThrow().taskId()).isEqualTo("task_late");
        assertThat(events(job)).extracting(e -> e.get("event_type"))
                .containsExactly("kie.task-submission-uncertain.v1", "kie.task-accepted.v1");
    }

    @Test
    void triesAgainWhenAnAnswerThatProvesNoTaskArrivesAfterTheLeaseRanOut() {
        UUID job = UUID.randomUUID();
        Submissions submissions = submissions(1000, 6);
        Submissions.Claim claim = aClaimWhoseLeaseRanOut(job, submissions);

        submissions.record(claim, new KieResponse(200, 429, "Rate limited", null), true);

        var row = tasks.find(job).orElseThrow();
        assertThat(jdbc.queryForObject("select state from kie_task where job_id = ?", String.class, job))
                .as("a 429 made no task: back in the queue, not left to the deadline").isEqualTo("PENDING");
        assertThat(row.taskId()).isNull();
    }

    /**
     * The instances of a deploy start at once and each registers the keys; one waits for the other's transaction,
     * which on a loaded host outlasts the connections' lock timeout. The wait must not fail the start (a cluster start
     * lost an instance so).
     */
    @Test
    void registeringTheKeysAtStartWaitsForATwinLongerThanTheLockTimeout() throws Exception {
        KieAccounts first = accounts(List.of("key"));
        var twin = new KieAccounts(List.of("key"), jdbc, outboxWriter(new DataSourceTransactionManager(dataSource)),
                clock, 1000, new SimpleMeterRegistry());
        ExecutorService starting = Executors.newSingleThreadExecutor();
        try (var held = dataSource.getConnection()) {
            held.setAutoCommit(false);
            held.createStatement().execute("update kie_account_version set version = version where id = 1");
            Future<?> start = starting.submit(() -> tx.executeWithoutResult(s -> {
                jdbc.execute("set local lock_timeout = '200ms'"); // the connections' own, short here
                twin.register();
            }));

            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20))
                    .until(() -> start.isDone() || jdbc.queryForObject("select count(*) from pg_stat_activity where "
                            + "wait_event_type = 'Lock' and query like '%kie_account_version%' "
                            + "and now() - query_start > interval '800 milliseconds'",
                            Long.class) > 0);
            assertThat(start).as("still waiting for the twin, well past its lock timeout").isNotDone();
            held.commit();

            start.get();
        } finally {
            starting.shutdownNow();
        }
        assertThat(twin.usable()).containsExactlyElementsOf(first.keys());
    }

    @Test
    void handsAPollToThePollersSoTheConsumerMovesOnWhileKieIsSlow() throws Exception {
        java.util.concurrent.CountDownLatch kieAnswers = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch kieAsked = new java.util.concurrent.CountDownLatch(1);
        com.sun.net.httpserver.HttpServer slowKie = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        slowKie.createContext("/api/v1/jobs/recordInfo", ex -> {
            kieAsked.countDown();
            try {
                kieAnswers.await(20, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            byte[] body = "{\"code\":200,\"msg\":\"success\",\"data\":{\"taskId\":\"t1\",\"state\":\"generating\"}}"
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        slowKie.start();
        try {
            var kie = new io.kiepipeline.kieworker.client.KieClient("http://127.0.0.1:" + slowKie.getAddress()
                    .getPort(), "key", Duration.ofSeconds(30));
            Submissions submissions = submissions(1000, 6);
            KieSettings settings = kieSettings(6);
            DataSourceTransactionManager txManager = new DataSourceTransactionManager(dataSource);
            KieTaskService service = new KieTaskService(kie, tasks, new io.kiepipeline.platform.inbox.Inbox(jdbc),
                    outboxWriter(txManager), settings, clock, txManager, jdbc,
                    new SubmissionScheduler(submissions, kie, accounts(txManager), settings, clock,
                            Duration.ofSeconds(1), 1, Duration.ofSeconds(1)), accounts(txManager));
            UUID job = UUID.randomUUID();
            var poll = envelope(new io.kiepipeline.schemas.KieCommand.PollKieTask(
                    new io.kiepipeline.schemas.JobId(job), "t1", 1));

            service.handle(poll);

            // KIE has not answered, yet the consumer is free: the next command on the partition is taken at once
            assertThat(kieAsked.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            UUID next = UUID.randomUUID();
            service.handle(envelope(new io.kiepipeline.schemas.KieCommand.SubmitKieTask(
                    new io.kiepipeline.schemas.JobId(next), new io.kiepipeline.schemas.UserId(1), "nano-banana-pro",
                    Map.of("prompt", "a fox"), null)));
            assertThat(tasks.find(next)).isPresent();
            assertThat(processed(poll)).as("the poll is still waiting for KIE").isFalse();

            kieAnswers.countDown();
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> processed(poll));
            service.stopPolling();
        } finally {
            kieAnswers.countDown();
            slowKie.stop(0);
        }
    }

    private static io.kiepipeline.platform.messaging.Envelope envelope(io.kiepipeline.schemas.KieCommand command) {
        return new io.kiepipeline.platform.messaging.Envelope(new io.kiepipeline.schemas.EventId(UUID.randomUUID()),
                io.kiepipeline.schemas.MessageTypes.nameOf(command.getClass()), command, null, null, Instant.now(),
                "kie-worker.commands", 0, 0);
    }

    private boolean processed(io.kiepipeline.platform.messaging.Envelope e) {
        return Boolean.TRUE.equals(jdbc.queryForObject("select exists (select 1 from processed_event where "
                + "event_id = ?)", Boolean.class, e.eventId().value()));
    }

    /** A submission claimed for a call whose outcome never came back before its lease ran out. */
    private Submissions.Claim aClaimWhoseLeaseRanOut(UUID job, Submissions submissions) {
        pending(job, null);
        Submissions.Claim claim = submissions.claim(10, LEASE).getFirst();
        clock.now = T0.plus(LEASE);
        assertThat(submissions.expireLeases(10)).isEqualTo(1);
        return claim;
    }

    private void pending(UUID job, Instant deadlineAt) {
        tx.executeWithoutResult(s -> tasks.insertPending(job, "nano-banana-pro",
                io.kiepipeline.schemas.KieApiFamily.MARKET, "nano-banana-pro", 1, "{\"prompt\":\"a fox\"}",
                deadlineAt, true, UUID.randomUUID().toString(), clock.instant()));
    }

    private List<Map<String, Object>> events(UUID job) {
        return jdbc.queryForList("select event_type, payload from outbox_message where correlation_id = ? order by id",
                job.toString());
    }

    private OutboxWriter outboxWriter(DataSourceTransactionManager txManager) {
        OutboxRelay relay = new OutboxRelay(jdbc, new TransactionTemplate(txManager), null,
                new OutboxRelay.Settings("kie-worker", 10, Duration.ofSeconds(1), Duration.ofSeconds(1),
                        Duration.ofSeconds(1), Duration.ofDays(1), false, 1_000_000));
        return new OutboxWriter(jdbc, relay, clock, 16);
    }

    private static KieSettings kieSettings(int attempts) {
        return new KieSettings("https://bot.example", new CallbackToken("callback-secret-123456"),
                attempts, Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofMinutes(30), false);
    }

    private static List<KieAccounts.Key> usable(KieAccounts accounts) {
        return tx.execute(s -> accounts.usable());
    }

    private static List<io.kiepipeline.schemas.KieAccountEvent.KieKeyState> states(KieAccounts accounts) {
        return tx.execute(s -> accounts.states());
    }

    private List<String> accountEvents() {
        return jdbc.queryForList("select payload from outbox_message where event_type = 'kie.accounts-observed.v1' "
                + "order by id", String.class);
    }

    private Submissions submissions(int rateLimit, int attempts) {
        return submissions(rateLimit, attempts, accounts(new DataSourceTransactionManager(dataSource)));
    }

    private Submissions submissions(int rateLimit, int attempts, KieAccounts accounts) {
        DataSourceTransactionManager txManager = new DataSourceTransactionManager(dataSource);
        KieSettings settings = kieSettings(attempts);
        DefaultListableBeanFactory beans = new DefaultListableBeanFactory();
        beans.registerSingleton("meters", meters);
        return new Submissions(tasks, outboxWriter(txManager),
                new io.kiepipeline.kieworker.client.LocalCreateTaskThrottle(rateLimit, Duration.ofSeconds(10), clock),
                accounts, settings, clock, txManager, beans.getBeanProvider(MeterRegistry.class));
    }

    /** One KIE key, available. */
    private KieAccounts accounts(DataSourceTransactionManager txManager) {
        return accounts(List.of("key"));
    }

    private KieAccounts accounts(List<String> keys) {
        var accounts = new KieAccounts(keys, jdbc, outboxWriter(new DataSourceTransactionManager(dataSource)), clock,
                1000, new SimpleMeterRegistry());
        tx.executeWithoutResult(s -> accounts.register());
        return accounts;
    }

    private static final class MutableClock extends Clock {
        volatile Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
