package io.kiepipeline.allinone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kiepipeline.schemas.ChatId;
import io.kiepipeline.schemas.GatewayEvent.GenerationRequested;
import io.kiepipeline.schemas.Ids;
import io.kiepipeline.schemas.JobId;
import io.kiepipeline.schemas.LedgerCommand.DepositRequested;
import io.kiepipeline.schemas.Limits;
import io.kiepipeline.schemas.RequestSource;
import io.kiepipeline.schemas.UserId;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * One hostile request must never stop the pipeline for everyone else: it is refused at the edge naming the limit, and
 * what slips past the edge (another producer on the topics) is refused by the service, with a bounded refusal.
 */
class HostileInputPipelineTest extends PipelineTest {
    private static final Duration SECONDS = Duration.ofSeconds(15);

    @Test
    void refusesOversizedRequestsAtTheEdgeNamingTheLimit() {
        long user = aNewUser();
        Map<String, Object> thousandsOfFields = new LinkedHashMap<>();
        for (int i = 0; i < 5_000; i++) {
            thousandsOfFields.put("unknown_field_" + i, "value " + i);
        }
        var huge = api.requestGeneration("key-huge-" + user, user, "google/nano-banana", thousandsOfFields);
        assertThat(huge.status()).isEqualTo(413);
        assertThat(huge.body().path("message").asString()).contains(Integer.toString(Limits.API_BODY_BYTES));

        Map<String, Object> manyFields = new LinkedHashMap<>();
        for (int i = 0; i < 40; i++) {
            manyFields.put("f" + i, "v");
        }
        var many = api.requestGeneration("key-many-" + user, user, "google/nano-banana", manyFields);
        assertThat(many.status()).isEqualTo(400);
        assertThat(many.body().path("error").asString()).isEqualTo("input_too_large");
        assertThat(many.body().path("message").asString()).contains("at most " + Limits.INPUT_FIELDS);

        var longModel = api.requestGeneration("key-model-" + user, user, "m".repeat(200), Map.of("prompt", "x"));
        assertThat(longModel.status()).isEqualTo(400);
        assertThat(longModel.body().path("message").asString()).contains(Integer.toString(Limits.MODEL_ID));

        var longPrompt = api.requestGeneration("key-prompt-" + user, user, "google/nano-banana",
                Map.of("prompt", "p".repeat(Limits.INPUT_TEXT + 1)));
        assertThat(longPrompt.status()).isEqualTo(400);

        var longKey = api.requestGeneration("k".repeat(Limits.IDEMPOTENCY_KEY + 1), user, "google/nano-banana",
                Map.of("prompt", "x"));
        assertThat(longKey.status()).isEqualTo(400);

        var nulModel = api.requestGeneration("key-nul-" + user, user, "google/nano\u0000banana",
                Map.of("prompt", "x"));
        assertThat(nulModel.status()).as("a model id PostgreSQL could not store").isEqualTo(400);
        assertThat(api.deposit(user, 100, "ref\u0000" + user).status()).isEqualTo(400);

        var longReference = api.deposit(user, 100, "r".repeat(Limits.DEPOSIT_REFERENCE + 1));
        assertThat(longReference.status()).isEqualTo(400);
        assertThat(longReference.body().path("message").asString())
                .contains(Integer.toString(Limits.DEPOSIT_REFERENCE));
        var longestReference = api.deposit(user, 100, "r".repeat(Limits.DEPOSIT_REFERENCE - 20) + user);
        assertThat(longestReference.status()).as("a reference at the limit fits the journal").isEqualTo(202);
        await().atMost(PATIENCE).until(() -> available(user) == 100);
    }

    @Test
    void keepsServingEveryoneWhileRejectingRequestsThatBypassedTheGateway() {
        long attacker = aNewUser();
        // ~900 kB of unknown fields: the validator's message for each would make a rejection of megabytes
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("prompt", "a fox");
        for (int i = 0; i < 3_000; i++) {
            fields.put("unknown_field_" + i, "x".repeat(280));
        }
        JobId huge = new JobId(UUID.randomUUID());
        JobId longModel = new JobId(UUID.randomUUID());
        JobId longKey = new JobId(UUID.randomUUID());
        Topics.publish(pipeline, new GenerationRequested(huge, "bypass-" + huge, new UserId(attacker),
                new ChatId(attacker), "google/nano-banana", fields, Instant.now(), RequestSource.API));
        for (int i = 0; i < 3; i++) {
            Topics.publish(pipeline, new GenerationRequested(i == 0 ? longModel : new JobId(UUID.randomUUID()),
                    "bypass-model-" + i + "-" + attacker, new UserId(attacker), new ChatId(attacker),
                    "m".repeat(200), Map.of("prompt", "x"), Instant.now(), RequestSource.API));
        }
        Topics.publish(pipeline, new GenerationRequested(longKey, "k".repeat(500), new UserId(attacker),
                new ChatId(attacker), "google/nano-banana", Map.of("prompt", "x"), Instant.now(),
                RequestSource.API));

        long user = aNewUser();
        String prompt = aPrompt("a fox that must not wait for anyone");
        long asked = System.nanoTime();
        String jobId = request(user, "google/nano-banana", prompt);
        await().atMost(SECONDS).untilAsserted(() ->
                assertThat(api.job(jobId).body().path("status").asString()).isEqualTo("DELIVERED"));
        System.out.printf("normal job delivered %d ms after the hostile ones%n", (System.nanoTime() - asked) / 1_000_000);

        var rejected = awaitStatus(huge.toString(), "REJECTED");
        assertThat(rejected.path("failureReason").asString()).isEqualTo("INVALID_INPUT");
        assertThat(rejected.path("failureDetail").asString().length()).isLessThanOrEqualTo(Limits.DETAIL);
        assertThat(rejected.path("failureDetail").asString()).contains("more problems");
        assertThat(awaitStatus(longModel.toString(), "REJECTED").path("failureReason").asString())
                .isEqualTo("UNKNOWN_MODEL");
        awaitStatus(longKey.toString(), "DELIVERED");
        assertThat(db.count("select count(*) from orchestrator.outbox_message where parked_at is not null"
                + " and correlation_id in (?, ?, ?)", huge.toString(), longModel.toString(), longKey.toString()))
                .as("every refusal fits a Kafka record").isZero();
    }

    @Test
    void answersConflictWhenATopUpReferenceIsReusedForAnotherAmount() {
        long user = aNewUser();
        String reference = "invoice-" + user;
        assertThat(api.deposit(user, 1_000, reference).status()).isEqualTo(202);
        await().atMost(PATIENCE).until(() -> available(user) == 1_000);

        var reused = api.deposit(user, 9_000, reference);
        var repeated = api.deposit(user, 1_000, reference);

        assertThat(reused.status()).isEqualTo(409);
        assertThat(reused.body().path("error").asString()).isEqualTo("deposit_reference_reused");
        assertThat(repeated.status()).as("the same top-up again is fine, and applied once").isEqualTo(202);
        assertThat(api.deposit(user, 5, "next-" + user).status()).isEqualTo(202);
        await().atMost(PATIENCE).until(() -> available(user) == 1_005);
    }

    @Test
    void refusesATopUpWhoseReferenceTheJournalCannotHoldAndSaysSo() {
        long user = aNewUser();
        String reference = "r".repeat(Limits.DEPOSIT_REFERENCE + 5);
        Topics.publish(pipeline, new DepositRequested(Ids.depositIdForReference(reference), new UserId(user), 5_000,
                "RUB", reference));
        assertThat(api.deposit(user, 700, "fine-" + user).status()).isEqualTo(202);

        await().atMost(PATIENCE).until(() -> available(user) == 700);
        await().atMost(PATIENCE).until(() -> db.count("select count(*) from ledger.outbox_message"
                + " where event_type = 'ledger.deposit-refused.v1' and payload like ?",
                "%\"userId\":" + user + "%INVALID_REFERENCE%") == 1);
    }

    @Test
    void rejectsARequestTheDatabaseCannotStoreInsteadOfRetryingIt() {
        long user = aNewUser();
        JobId job = new JobId(UUID.randomUUID());
        // PostgreSQL cannot store a NUL character: on every try the same insert would fail
        Topics.publish(pipeline, new GenerationRequested(job, "nul-" + job, new UserId(user), new ChatId(user),
                "google/nano\u0000banana", Map.of("prompt", "x"), Instant.now(), RequestSource.API));
        String reference = "nul\u0000" + user;
        Topics.publish(pipeline, new DepositRequested(Ids.depositIdForReference(reference), new UserId(user), 900,
                "RUB", reference));

        await().atMost(PATIENCE).until(() -> db.count("select count(*) from orchestrator.outbox_message"
                + " where event_type = 'job.rejected.v1' and correlation_id = ?", job.toString()) == 1);
        await().atMost(PATIENCE).until(() -> db.count("select count(*) from ledger.outbox_message"
                + " where event_type = 'ledger.deposit-refused.v1' and payload like ?",
                "%\"userId\":" + user + "%INVALID_REFERENCE%") == 1);
        assertThat(awaitMessages(user, 1).getFirst().text()).as("the user is told").isNotBlank();
        assertThat(LogCapture.lines().stream().filter(l -> l.contains("message.dead-lettered")
                && (l.contains(job.toString()) || l.contains(Long.toString(user))))).isEmpty();
        assertThat(available(user)).isZero();
    }
}
