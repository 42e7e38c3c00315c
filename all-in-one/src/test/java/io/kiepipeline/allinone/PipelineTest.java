package io.kiepipeline.allinone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kiepipeline.emulators.KieEmulator;
import io.kiepipeline.emulators.TelegramEmulator;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import tools.jackson.databind.JsonNode;

/**
 * What every end-to-end test shares: the running system, its API, its database, and small steps that read like the
 * scenario (a user with a balance, a request, waiting for a job's status).
 */
abstract class PipelineTest {
    private static final AtomicLong USERS = new AtomicLong(500_000);
    static final Duration PATIENCE = Duration.ofSeconds(40);

    final EmbeddedPipeline pipeline = TestPipeline.get();
    final Api api = new Api(pipeline.gatewayUrl());
    final Db db = new Db(pipeline);
    final KieEmulator kie = pipeline.kie();
    final TelegramEmulator telegram = pipeline.telegram();

    /**
     * Restarts a service and waits until each of its Kafka listeners holds partitions again: until then what it
     * consumes waits, and a job could time out on a short deadline of the suite for no reason of its own.
     */
    void restart(EmbeddedPipeline.Service service, Map<String, String> changed) {
        var ctx = pipeline.restartService(service, changed);
        var registry = ctx.getBean(org.springframework.kafka.config.KafkaListenerEndpointRegistry.class);
        await().atMost(PATIENCE).until(() -> registry.getListenerContainers().stream()
                .allMatch(c -> c.getAssignedPartitions() != null && !c.getAssignedPartitions().isEmpty()));
    }

    static long aNewUser() {
        return USERS.incrementAndGet();
    }

    /** A prompt no other test uses, so that emulator rules and call counts are this test's own. */
    static String aPrompt(String what) {
        return what + " " + UUID.randomUUID();
    }

    long aUserWithBalance(long amountMinor) {
        long user = aNewUser();
        assertThat(api.deposit(user, amountMinor, "topup-" + user).status()).isEqualTo(202);
        await().atMost(PATIENCE).until(() -> api.account(user).body().path("availableMinor").asLong() == amountMinor);
        return user;
    }

    String request(long user, String model, String prompt) {
        return request(user, model, Map.of("prompt", prompt), "key-" + UUID.randomUUID());
    }

    String request(long user, String model, Map<String, Object> input, String idempotencyKey) {
        Api.Response r = api.requestGeneration(idempotencyKey, user, model, input);
        assertThat(r.status()).as("request accepted: %s", r.body()).isEqualTo(202);
        return r.body().get("jobId").asString();
    }

    JsonNode awaitStatus(String jobId, String status) {
        await().atMost(PATIENCE).untilAsserted(() ->
                assertThat(api.job(jobId).body().path("status").asString()).isEqualTo(status));
        return api.job(jobId).body();
    }

    long available(long user) {
        return api.account(user).body().path("availableMinor").asLong();
    }

    long held(long user) {
        return api.account(user).body().path("heldMinor").asLong();
    }

    /**
     * Nothing held, and this much available, in one read of the account: {@code held(u) == 0 && available(u) == x}
     * reads twice, and a hold placed between the reads makes it true before the hold's capture or release.
     */
    boolean settled(long user, long availableMinor) {
        JsonNode account = api.account(user).body();
        return account.path("heldMinor").asLong() == 0 && account.path("availableMinor").asLong() == availableMinor;
    }

    List<TelegramEmulator.Sent> awaitMessages(long chat, int count) {
        await().atMost(PATIENCE).until(() -> telegram.sentTo(chat).size() >= count);
        return telegram.sentTo(chat);
    }

    /** A button the bot shows in the chat now (after its edits): the message it is on and its callback data. */
    record Button(int messageId, String data, String text) {
    }

    private static final java.util.regex.Pattern CALLBACK_DATA =
            java.util.regex.Pattern.compile("\"callback_data\":\"([^\"]+)\"");

    /** Waits until the bot shows a button whose data starts with {@code prefix}, in its latest message that has one. */
    Button awaitButton(long chat, String prefix) {
        java.util.concurrent.atomic.AtomicReference<Button> found = new java.util.concurrent.atomic.AtomicReference<>();
        await().atMost(PATIENCE).until(() -> {
            List<TelegramEmulator.Line> lines = telegram.chat(chat);
            for (int i = lines.size() - 1; i >= 0; i--) {
                TelegramEmulator.Line l = lines.get(i);
                if (!l.fromBot() || l.replyMarkup() == null) {
                    continue;
                }
                java.util.regex.Matcher m = CALLBACK_DATA.matcher(l.replyMarkup());
                while (m.find()) {
                    if (m.group(1).startsWith(prefix)) {
                        found.set(new Button(l.messageId(), m.group(1), l.text()));
                        return true;
                    }
                }
            }
            return false;
        });
        return found.get();
    }

    /** The user taps a button the bot shows. */
    int tap(long user, Button button) {
        return telegram.userTaps(user, user, button.messageId(), button.data());
    }

    /** Waits until a message of the bot in the chat (after its edits) contains all of {@code parts}, and returns it. */
    String awaitBotText(long chat, String... parts) {
        java.util.concurrent.atomic.AtomicReference<String> found = new java.util.concurrent.atomic.AtomicReference<>();
        await().atMost(PATIENCE).until(() -> telegram.chat(chat).stream()
                .filter(l -> l.fromBot() && l.text() != null)
                .filter(l -> java.util.Arrays.stream(parts).allMatch(l.text()::contains))
                .peek(l -> found.set(l.text())).findAny().isPresent());
        return found.get();
    }

    /** The user tops up with a Stars package through the bot (/topup → the package → pays); the payment is PAID. */
    TelegramEmulator.Payment payStars(long user, String packageData) {
        int before = telegram.invoicesTo(user).size();
        telegram.userSays(user, user, "/topup");
        await().atMost(PATIENCE).until(() -> telegram.chat(user).stream().anyMatch(l -> l.replyMarkup() != null
                && l.replyMarkup().contains("\"" + packageData + "\"")));
        tap(user, awaitButton(user, packageData));
        await().atMost(PATIENCE).until(() -> telegram.invoicesTo(user).size() > before);
        String query = telegram.userPays(user, telegram.invoicesTo(user).getLast().messageId());
        await().atMost(PATIENCE).until(() -> telegram.payments().stream()
                .anyMatch(p -> p.preCheckoutQueryId().equals(query) && p.status().equals("PAID")));
        return telegram.payments().stream().filter(p -> p.preCheckoutQueryId().equals(query)).findFirst()
                .orElseThrow();
    }

    long capturesOf(String jobId) {
        return db.count("select count(*) from ledger.ledger_transaction t join ledger.hold h "
                + "on t.reference = 'CAPTURE:' || h.hold_id where h.job_id = ?::uuid", jobId);
    }

    long releasesOf(String jobId) {
        return db.count("select count(*) from ledger.ledger_transaction t join ledger.hold h "
                + "on t.reference = 'RELEASE:' || h.hold_id where h.job_id = ?::uuid", jobId);
    }
}
