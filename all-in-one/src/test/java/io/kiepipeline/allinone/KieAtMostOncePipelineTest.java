package io.kiepipeline.allinone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kiepipeline.emulators.KieEmulator.Rule;
import io.kiepipeline.platform.messaging.Envelopes;
import io.kiepipeline.schemas.JobId;
import io.kiepipeline.schemas.KieCommand.PollKieTask;
import io.kiepipeline.schemas.KieCommand.SubmitKieTask;
import io.kiepipeline.schemas.Message;
import io.kiepipeline.schemas.UserId;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * At most one KIE task per job. A createTask whose answer is lost (too late, or a 5xx after KIE made the task) is
 * never sent again: the job is finished by the task's own callback, and charged once. A slow KIE answer holds up no
 * other job, and a submission past its job's deadline never reaches KIE.
 */
class KieAtMostOncePipelineTest extends PipelineTest {
    private static final String MODEL = "nano-banana-pro";
    /** Longer than the kie-worker's request timeout: the worker never sees the task id. */
    private static final long LATE_MS = TestPipeline.KIE_REQUEST_TIMEOUT.toMillis() + 4000;

    @Test
    void makesOneTaskAndFinishesTheJobByItsCallbackWhenKieAnswersAfterTheTimeout() {
        long user = aUserWithBalance(10_000);
        String prompt = aPrompt("a fox whose receipt got lost");
        kie.addRule(Rule.forPrompt(prompt).taking(TestPipeline.KIE_REQUEST_TIMEOUT.toMillis() + 1000)
                .creatingThenAnsweringAfter(LATE_MS));
        Prometheus before = Prometheus.scrape(pipeline, EmbeddedPipeline.Service.KIE_WORKER);

        String jobId = request(user, MODEL, prompt);

        awaitStatus(jobId, "DELIVERED");
        assertThat(kie.callsFor(prompt)).hasSize(1);
        assertThat(kie.tasksFor(prompt)).hasSize(1);
        awaitCapturedOnce(jobId);
        assertThat(available(user)).isEqualTo(10_000 - 1500);
        assertThat(db.rows("select state, attempts from kie_worker.kie_task where job_id = ?::uuid", jobId))
                .singleElement().satisfies(row -> {
                    assertThat(row.get("state")).isEqualTo("UNCERTAIN");
                    assertThat(row.get("attempts")).isEqualTo(1);
                });
        assertThat(LogCapture.lines()).anyMatch(l -> l.contains("kie.create-task.uncertain") && l.contains(jobId));
        assertThat(Prometheus.scrape(pipeline, EmbeddedPipeline.Service.KIE_WORKER)
                .sum("pipeline_kie_submissions_ambiguous_total") - before.sum("pipeline_kie_submissions_ambiguous_total"))
                .as("counted once, for operators to look the task up in KIE's usage log").isGreaterThanOrEqualTo(1);
        assertThat(Prometheus.scrape(pipeline, EmbeddedPipeline.Service.KIE_WORKER).sum(
                "pipeline_kie_requests_seconds_count", "endpoint", "create_task", "transport", "answer_lost")
                - before.sum("pipeline_kie_requests_seconds_count", "endpoint", "create_task", "transport",
                "answer_lost")).isGreaterThanOrEqualTo(1);
        assertThat(LogCapture.lines()).as("the emulator's signed callback is published as verified")
                .anyMatch(l -> l.contains("callback.received") && l.contains(jobId)
                        && l.contains("signatureVerified=\"true\""));
    }

    @Test
    void makesOneTaskAndFinishesTheJobByItsCallbackWhenKieAnswers500AfterCreatingIt() {
        long user = aUserWithBalance(10_000);
        String prompt = aPrompt("a fox behind a server error");
        kie.addRule(Rule.forPrompt(prompt).taking(1000).creatingThenAnsweringServerError());

        String jobId = request(user, MODEL, prompt);

        awaitStatus(jobId, "DELIVERED");
        assertThat(kie.callsFor(prompt)).singleElement().satisfies(c -> assertThat(c.httpStatus()).isEqualTo(500));
        assertThat(kie.tasksFor(prompt)).hasSize(1);
        awaitCapturedOnce(jobId);
        assertThat(db.count("select count(*) from kie_worker.outbox_message where correlation_id = ? "
                + "and event_type = 'kie.task-submission-uncertain.v1'", jobId)).isEqualTo(1);
    }

    @Test
    void submitsAnotherJobAtOnceWhileKieIsSlowToAnswer() {
        long user = aUserWithBalance(100_000);
        String slow = aPrompt("a slow fox");
        kie.addRule(Rule.forPrompt(slow).creatingThenAnsweringAfter(LATE_MS));
        List<String> slowJobs = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            slowJobs.add(request(user, MODEL, slow + " #" + i));
        }
        await().atMost(PATIENCE).until(() -> kie.callsFor(slow).size() == 4);
        String prompt = aPrompt("a quick fox");

        long requested = System.nanoTime();
        String jobId = request(user, MODEL, prompt);

        await().atMost(Duration.ofSeconds(6)).untilAsserted(() ->
                assertThat(api.job(jobId).body().path("status").asString()).isEqualTo("DELIVERED"));
        assertThat(Duration.ofNanos(System.nanoTime() - requested)).isLessThan(Duration.ofSeconds(6));
        for (String slowJob : slowJobs) {
            awaitStatus(slowJob, "DELIVERED");
            awaitCapturedOnce(slowJob);
        }
        assertThat(kie.callsFor(slow)).hasSize(4);
    }

    @Test
    void refusesASubmissionWhoseDeadlinePassedWithoutCallingKie() {
        String jobId = UUID.randomUUID().toString();
        String prompt = aPrompt("a fox that is too late");

        send(new SubmitKieTask(new JobId(UUID.fromString(jobId)), new UserId(aNewUser()), MODEL,
                Map.of("prompt", prompt), Instant.now().minus(Duration.ofMinutes(1))));

        await().atMost(PATIENCE).untilAsserted(() -> assertThat(db.rows(
                "select event_type, payload from kie_worker.outbox_message where correlation_id = ?", jobId))
                .singleElement().satisfies(e -> {
                    assertThat(e.get("event_type")).isEqualTo("kie.task-rejected.v1");
                    assertThat((String) e.get("payload")).contains("\"code\":408").contains("deadline passed");
                }));
        assertThat(db.rows("select state, reject_code, attempts from kie_worker.kie_task where job_id = ?::uuid",
                jobId)).singleElement().satisfies(row -> {
                    assertThat(row.get("state")).isEqualTo("REJECTED");
                    assertThat(row.get("reject_code")).isEqualTo(408);
                    assertThat(row.get("attempts")).isEqualTo(0);
                });
        assertThat(kie.callsFor(prompt)).isEmpty();
    }

    @Test
    void reportsNothingWhenAPollNamesTheTaskOfAnotherJob() {
        long user = aUserWithBalance(10_000);
        String prompt = aPrompt("a fox someone else wants to claim");
        String victim = request(user, MODEL, prompt);
        awaitStatus(victim, "DELIVERED");
        String taskId = kie.tasksFor(prompt).getFirst().taskId();
        String attacker = UUID.randomUUID().toString();

        send(new PollKieTask(new JobId(UUID.fromString(attacker)), taskId, 1));

        await().atMost(PATIENCE).until(() -> LogCapture.lines().stream()
                .anyMatch(l -> l.contains("kie.poll.task-of-another-job") && l.contains(attacker)));
        assertThat(db.count("select count(*) from kie_worker.outbox_message where correlation_id = ?", attacker))
                .isZero();
    }

    @Test
    void givesKieACallbackUrlThatExpiresHalfAnHourAfterTheJobsDeadline() {
        long user = aUserWithBalance(10_000);
        String prompt = aPrompt("a fox with a short-lived callback");

        String jobId = request(user, MODEL, prompt);

        awaitStatus(jobId, "DELIVERED");
        Instant deadline = ((java.sql.Timestamp) db.rows("select deadline_at from orchestrator.job where job_id = ?::uuid",
                jobId).getFirst().get("deadline_at")).toInstant();
        String url = kie.tasksFor(prompt).getFirst().callBackUrl();
        String token = url.substring(url.indexOf("token=") + "token=".length());
        assertThat(Long.parseLong(token.substring(0, token.indexOf('.'))))
                .isEqualTo(deadline.plus(Duration.ofMinutes(30)).getEpochSecond());
        assertThat(api.postRaw("/kie/callback/" + jobId + "?token=" + new io.kiepipeline.platform.callbacks.CallbackToken(
                TestPipeline.CALLBACK_SECRET).tokenFor(jobId, Instant.now().minusSeconds(1)), null, null, "{}").status())
                .as("an expired token").isEqualTo(401);
    }

    /** The capture follows the job's success asynchronously (the ledger applies it): wait for it, then count. */
    private void awaitCapturedOnce(String jobId) {
        await().atMost(PATIENCE).until(() -> capturesOf(jobId) >= 1);
        assertThat(capturesOf(jobId)).isEqualTo(1);
    }

    private void send(Message command) {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, pipeline.kafkaBootstrapServers(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class))) {
            producer.send(Envelopes.record(command, command.key())).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
