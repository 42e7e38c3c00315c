package io.kiepipeline.allinone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kiepipeline.allinone.EmbeddedPipeline.Service;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Webhook mode, from Telegram's side (https://core.telegram.org/bots/api#setwebhook): the gateway sets its webhook
 * with a secret token at start, Telegram POSTs updates to it, nobody long-polls; a request without the secret is
 * refused and handled not at all; an update Telegram sends again is handled once.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TelegramWebhookPipelineTest extends PipelineTest {
    private static final String SECRET = "webhook-secret_0123456789";
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    void webhookMode() {
        pipeline.restartService(Service.GATEWAY, Map.of("TELEGRAM_WEBHOOK", "true",
                "TELEGRAM_WEBHOOK_SECRET", SECRET));
        await().atMost(PATIENCE).until(() -> telegram.webhookUrl() != null);
    }

    @AfterAll
    void pollingAgain() {
        // the library deletes the webhook when long polling starts
        pipeline.restartService(Service.GATEWAY);
    }

    @Test
    void telegramDeliversToTheWebhookAndTheBotAnswers() {
        long user = aUserWithBalance(2_500);

        telegram.userSays(user, user, "/balance");

        assertThat(awaitMessages(user, 1).getFirst().text()).contains("Balance").contains("25.00");
        assertThat(telegram.webhookUrl()).isEqualTo(pipeline.gatewayUrl() + "/telegram/webhook");
        assertThat(telegram.webhookDeliveries()).isPositive();
    }

    @Test
    void anUpdateWithoutTheSecretOrWithAWrongOneIsRefusedAndHandledNotAtAll() throws Exception {
        long user = aNewUser();
        String forged = update(910_000_001L, user, "/generate google/nano-banana a forged fox");

        assertThat(post(forged, null)).isEqualTo(401);
        assertThat(post(forged, "not-the-secret-000000")).isEqualTo(401);

        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).until(() -> telegram.sentTo(user)
                .isEmpty());
        assertThat(kie.tasksFor("a forged fox")).isEmpty();
    }

    @Test
    void anUpdateTelegramSendsAgainIsHandledOnce() throws Exception {
        long user = aUserWithBalance(1_000);
        String update = update(910_000_002L, user, "/balance");

        assertThat(post(update, SECRET)).isEqualTo(200);
        assertThat(post(update, SECRET)).isEqualTo(200);

        await().atMost(PATIENCE).until(() -> telegram.sentTo(user).size() == 1);
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).until(() -> telegram.sentTo(user)
                .size() == 1);
    }

    private int post(String body, String secret) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(pipeline.gatewayUrl() + "/telegram/webhook"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (secret != null) {
            b.header("X-Telegram-Bot-Api-Secret-Token", secret);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /** An update as the Bot API documents it: a private message from a person. */
    private static String update(long updateId, long user, String text) {
        int command = text.indexOf(' ') < 0 ? text.length() : text.indexOf(' ');
        return "{\"update_id\":" + updateId + ",\"message\":{\"message_id\":1,\"date\":1700000000,"
                + "\"from\":{\"id\":" + user + ",\"is_bot\":false,\"first_name\":\"A\"},"
                + "\"chat\":{\"id\":" + user + ",\"type\":\"private\"},\"text\":\"" + text + "\","
                + "\"entities\":[{\"type\":\"bot_command\",\"offset\":0,\"length\":" + command + "}]}}";
    }
}
