package io.kiepipeline.allinone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kiepipeline.emulators.KieEmulator.Rule;
import io.kiepipeline.gateway.telegram.TelegramPolling;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Repeats are harmless: one job, one hold, one charge, one delivery, whatever arrives twice. */
class IdempotencyPipelineTest extends PipelineTest {
    private static final String MODEL = "nano-banana-pro";

    @Test
    void makesOneJobAndOneHoldForTheSameIdempotencyKey() {
        long user = aUserWithBalance(10_000);
        String prompt = aPrompt("a fox asked twice");
        String key = "same-key-" + prompt;

        String first = request(user, MODEL, Map.of("prompt", prompt), key);
        String second = request(user, MODEL, Map.of("prompt", prompt), key);

        assertThat(second).isEqualTo(first);
        awaitStatus(first, "DELIVERED");
        assertThat(db.count("select count(*) from orchestrator.job where idempotency_key = ?", key)).isEqualTo(1);
        assertThat(db.count("select count(*) from ledger.hold where job_id = ?::uuid", first)).isEqualTo(1);
        assertThat(kie.callsFor(prompt)).hasSize(1);
        assertThat(capturesOf(first)).isEqualTo(1);
        assertThat(available(user)).isEqualTo(10_000 - 1500);
    }

    @Test
    void refusesAnIdempotencyKeyReusedForADifferentRequest() {
        long user = aUserWithBalance(10_000);
        String prompt = aPrompt("a fox with a reused key");
        String key = "reused-" + prompt;
        String jobId = request(user, MODEL, Map.of("prompt", prompt), key);
        awaitStatus(jobId, "DELIVERED");

        var sameAgain = api.requestGeneration(key, user, MODEL, Map.of("prompt", prompt));
        var otherPrompt = api.requestGeneration(key, user, MODEL, Map.of("prompt", prompt + " but blue"));
        var otherModel = api.requestGeneration(key, user, "google/nano-banana", Map.of("prompt", prompt));

        assertThat(sameAgain.status()).isEqualTo(202);
        assertThat(sameAgain.body().get("jobId").asString()).isEqualTo(jobId);
        assertThat(otherPrompt.status()).isEqualTo(409);
        assertThat(otherPrompt.body().path("error").asString()).isEqualTo("idempotency_key_reused");
        assertThat(otherModel.status()).isEqualTo(409);
        assertThat(kie.callsFor(prompt)).hasSize(1);
    }

    @Test
    void makesOneJobForARedeliveredTelegramUpdate() {
        long user = aUserWithBalance(10_000);
        String prompt = aPrompt("a fox from telegram");
        telegram.userSays(user, user, "/generate nano-banana-pro " + prompt);
        tap(user, awaitButton(user, "d:nano-banana-pro"));

        int confirmed = tap(user, awaitButton(user, "ok:"));
        await().atMost(PATIENCE).until(() -> kie.callsFor(prompt).size() == 1);
        // the gateway restarts before confirming the tap, so Telegram sends it again
        TelegramPolling polling = pipeline.context(EmbeddedPipeline.Service.GATEWAY).getBean(TelegramPolling.class);
        polling.stop();
        // its last long poll, still open on the server, would confirm the update again: let it end first
        await().atMost(PATIENCE).until(() -> telegram.getUpdatesInFlight() == 0);
        telegram.redeliver(confirmed);
        polling.start();
        await().atMost(PATIENCE).until(() -> !telegram.unconfirmed(confirmed));

        await().atMost(PATIENCE).until(() -> telegram.sentTo(user).stream()
                .anyMatch(m -> "sendPhoto".equals(m.method())));
        await().atMost(PATIENCE).until(() -> held(user) == 0);
        assertThat(db.count("select count(*) from orchestrator.job where user_id = ?", user)).isEqualTo(1);
        assertThat(kie.callsFor(prompt)).hasSize(1);
        assertThat(db.count("select count(*) from bot.processed_event where consumer = 'bot-updates'"
                + " and event_id = ?::uuid", io.kiepipeline.schemas.Ids.nameUuid("telegram-update:" + confirmed)
                .toString())).as("the tap was handled once").isEqualTo(1);
        assertThat(telegram.sentTo(user).stream().filter(m -> "sendPhoto".equals(m.method()))).hasSize(1);
        assertThat(available(user)).isEqualTo(10_000 - 1500);
    }

    @Test
    void capturesOnceAndDeliversOnceWhenKieCallsBackTwice() {
        long user = aUserWithBalance(10_000);
        String prompt = aPrompt("a fox called back twice");
        kie.addRule(Rule.forPrompt(prompt).taking(300).withDuplicateCallback());

        String jobId = request(user, MODEL, prompt);

        awaitStatus(jobId, "DELIVERED");
        String taskId = kie.tasksFor(prompt).getFirst().taskId();
        // both callbacks were answered 200 by the gateway; the second changed nothing
        await().atMost(PATIENCE).until(() -> kie.callbacksAccepted(taskId) == 2);
        assertThat(capturesOf(jobId)).isEqualTo(1);
        assertThat(telegram.sentTo(user).stream().filter(m -> "sendPhoto".equals(m.method()))).hasSize(1);
        assertThat(available(user)).isEqualTo(10_000 - 1500);
        assertThat(held(user)).isZero();
    }

    @Test
    void acceptsACallbackThatArrivesBeforeTheTaskIsRecordedAsAccepted() {
        long user = aUserWithBalance(10_000);
        String prompt = aPrompt("a fox faster than its receipt");
        kie.addRule(Rule.forPrompt(prompt).withCallbackBeforeAccept().withDuplicateCallback());

        String jobId = request(user, MODEL, prompt);

        var job = awaitStatus(jobId, "DELIVERED");
        assertThat(job.path("taskId").asString()).isEqualTo(kie.tasksFor(prompt).getFirst().taskId());
        assertThat(capturesOf(jobId)).isEqualTo(1);
        assertThat(telegram.sentTo(user).stream().filter(m -> "sendPhoto".equals(m.method()))).hasSize(1);
        await().atMost(PATIENCE).until(() -> held(user) == 0);
        assertThat(available(user)).isEqualTo(10_000 - 1500);
    }

    @Test
    void appliesATopUpOnceForTheSameReference() {
        long user = aNewUser();
        assertThat(api.deposit(user, 700, "ref-" + user).status()).isEqualTo(202);
        assertThat(api.deposit(user, 700, "ref-" + user).status()).isEqualTo(202);

        await().atMost(PATIENCE).until(() -> db.count("select count(*) from ledger.processed_event") > 0
                && db.count("select count(*) from ledger.deposit where reference = ?", "ref-" + user) == 1);
        await().atMost(PATIENCE).until(() -> available(user) == 700);
        assertThat(db.count("select count(*) from ledger.ledger_transaction where reference = ?",
                "DEPOSIT:ref-" + user)).isEqualTo(1);
    }
}
