package io.kiepipeline.emulators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * What the bot of issue 8 uses, as the Bot API documents it, called over plain HTTP the way any bot would: inline
 * buttons and their callback queries, edits, HTML text, photos through getFile, uploads, albums, Stars invoices with
 * pre-checkout and refunds, and webhooks with their secret token.
 */
class TelegramEmulatorBotApiTest extends TelegramEmulatorTestBase {
    private static final long USER = 7001;

    private TestHttp.Reply call(String method, String json) {
        return http.post(bot(method), json);
    }

    private JsonNode updates() {
        return call("getUpdates", "{\"offset\":0,\"timeout\":0}").json().path("result");
    }

    private int sendWithButton(String text, String data) {
        return call("sendMessage", "{\"chat_id\":" + USER + ",\"text\":\"" + text + "\",\"reply_markup\":"
                + "{\"inline_keyboard\":[[{\"text\":\"Go\",\"callback_data\":\"" + data + "\"}]]}}").json()
                .path("result").path("message_id").asInt();
    }

    @Test
    void aTapOnAnInlineButtonIsACallbackQueryTheBotAnswersOnce() {
        int messageId = sendWithButton("Pick one", "model:nano");

        telegram.userTaps(USER, USER, messageId, "model:nano");

        JsonNode query = updates().get(0).path("callback_query");
        assertThat(query.path("data").asString()).isEqualTo("model:nano");
        assertThat(query.path("message").path("message_id").asInt()).isEqualTo(messageId);
        String id = query.path("id").asString();
        assertThat(call("answerCallbackQuery", "{\"callback_query_id\":\"" + id + "\"}").status()).isEqualTo(200);
        TestHttp.Reply again = call("answerCallbackQuery", "{\"callback_query_id\":\"" + id + "\"}");
        assertThat(again.status()).isEqualTo(400);
        assertThat(again.json().path("description").asString()).contains("query ID is invalid");
        assertThat(telegram.callbackAnswers()).hasSize(1);
    }

    @Test
    void buttonDataOver64BytesIsRefused() {
        TestHttp.Reply r = call("sendMessage", "{\"chat_id\":" + USER + ",\"text\":\"x\",\"reply_markup\":"
                + "{\"inline_keyboard\":[[{\"text\":\"Go\",\"callback_data\":\"" + "d".repeat(65) + "\"}]]}}");

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().path("description").asString()).isEqualTo("Bad Request: BUTTON_DATA_INVALID");
    }

    @Test
    void anEditChangesTheMessageTheUserSeesAndAnEditChangingNothingIsRefused() {
        int messageId = sendWithButton("Queued", "cancel");

        assertThat(call("editMessageText", "{\"chat_id\":" + USER + ",\"message_id\":" + messageId
                + ",\"text\":\"Running\"}").status()).isEqualTo(200);
        TestHttp.Reply same = call("editMessageText", "{\"chat_id\":" + USER + ",\"message_id\":" + messageId
                + ",\"text\":\"Running\"}");
        TestHttp.Reply missing = call("editMessageText", "{\"chat_id\":" + USER + ",\"message_id\":999999"
                + ",\"text\":\"Done\"}");

        assertThat(telegram.chat(USER)).singleElement().satisfies(line -> {
            assertThat(line.text()).isEqualTo("Running");
            assertThat(line.edited()).isTrue();
            assertThat(line.replyMarkup()).isNull();
        });
        assertThat(same.status()).isEqualTo(400);
        assertThat(same.json().path("description").asString()).startsWith("Bad Request: message is not modified");
        assertThat(missing.json().path("description").asString()).isEqualTo("Bad Request: message to edit not found");
    }

    @Test
    void htmlTextWithAUsersUnescapedCharactersIsRefusedAndEscapedTextIsSent() {
        TestHttp.Reply raw = call("sendMessage", "{\"chat_id\":" + USER + ",\"parse_mode\":\"HTML\","
                + "\"text\":\"<b>Prompt:</b> cats <3 & dogs\"}");
        TestHttp.Reply escaped = call("sendMessage", "{\"chat_id\":" + USER + ",\"parse_mode\":\"HTML\","
                + "\"text\":\"<b>Prompt:</b> cats &lt;3 &amp; dogs\"}");

        assertThat(raw.status()).isEqualTo(400);
        assertThat(raw.json().path("description").asString()).startsWith("Bad Request: can't parse entities");
        assertThat(escaped.status()).isEqualTo(200);
    }

    @Test
    void aUsersPhotoIsReachedThroughGetFileWithTheBotToken() {
        byte[] jpeg = {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, 1, 2, 3, 4, 5, (byte) 0xFF, (byte) 0xD9};
        telegram.userSendsPhoto(USER, USER, jpeg, "make it blue");

        JsonNode message = updates().get(0).path("message");
        assertThat(message.path("caption").asString()).isEqualTo("make it blue");
        JsonNode sizes = message.path("photo");
        assertThat(sizes).hasSize(2);
        String fileId = sizes.get(1).path("file_id").asString();
        JsonNode file = call("getFile", "{\"file_id\":\"" + fileId + "\"}").json().path("result");
        String path = file.path("file_path").asString();

        assertThat(http.download(telegram.baseUrl() + "/file/bot" + TOKEN + "/" + path).body()).isEqualTo(jpeg);
        assertThat(http.download(telegram.baseUrl() + "/file/bot1:wrong/" + path).statusCode()).isEqualTo(401);
        assertThat(call("getFile", "{\"file_id\":\"nope\"}").status()).isEqualTo(400);
    }

    @Test
    void aBotUploadsAPhotoAsMultipartWithinTenMegabytes() {
        byte[] small = new byte[2048];
        TestHttp.Reply ok = http.multipart(bot("sendPhoto"), Map.of("chat_id", Long.toString(USER), "caption", "hi"),
                "photo", "result.jpg", "image/jpeg", small);
        TestHttp.Reply tooBig = http.multipart(bot("sendPhoto"), Map.of("chat_id", Long.toString(USER)), "photo",
                "big.jpg", "image/jpeg", new byte[(10 << 20) + 1]);

        assertThat(ok.status()).isEqualTo(200);
        String url = telegram.sentTo(USER).getFirst().mediaUrl();
        assertThat(http.download(url).body()).isEqualTo(small);
        assertThat(tooBig.status()).isEqualTo(413);
    }

    @Test
    void anAlbumIsTwoToTenMediaEachItsOwnMessage() throws Exception {
        HttpServer files = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        files.createContext("/", ex -> {
            byte[] png = {(byte) 0x89, 'P', 'N', 'G'};
            ex.sendResponseHeaders(200, png.length);
            ex.getResponseBody().write(png);
            ex.close();
        });
        files.start();
        try {
            String url = "http://127.0.0.1:" + files.getAddress().getPort() + "/a.png";
            TestHttp.Reply album = call("sendMediaGroup", "{\"chat_id\":" + USER + ",\"media\":[{\"type\":\"photo\","
                    + "\"media\":\"" + url + "\",\"caption\":\"one\"},{\"type\":\"photo\",\"media\":\"" + url + "\"}]}");
            TestHttp.Reply single = call("sendMediaGroup", "{\"chat_id\":" + USER + ",\"media\":[{\"type\":\"photo\","
                    + "\"media\":\"" + url + "\"}]}");

            assertThat(album.json().path("result")).hasSize(2);
            assertThat(telegram.sentTo(USER)).extracting(TelegramEmulator.Sent::method)
                    .containsExactly("sendMediaGroup", "sendMediaGroup");
            assertThat(single.status()).isEqualTo(400);
        } finally {
            files.stop(0);
        }
    }

    @Test
    void aStarsInvoiceTakesNoProviderTokenAndItsPaymentFollowsAnOkPreCheckout() {
        TestHttp.Reply withProvider = call("sendInvoice", invoice("XTR", "\"provider_token\":\"tok\","));
        int invoiceId = call("sendInvoice", invoice("XTR", "")).json().path("result").path("message_id").asInt();
        assertThat(withProvider.status()).isEqualTo(400);

        String queryId = telegram.userPays(USER, invoiceId);
        JsonNode preCheckout = updates().get(0).path("pre_checkout_query");
        assertThat(preCheckout.path("id").asString()).isEqualTo(queryId);
        assertThat(preCheckout.path("invoice_payload").asString()).isEqualTo("topup:100");
        assertThat(preCheckout.path("total_amount").asLong()).isEqualTo(100);
        call("answerPreCheckoutQuery", "{\"pre_checkout_query_id\":\"" + queryId + "\",\"ok\":true}");

        await().atMost(Duration.ofSeconds(5)).until(() -> updates().size() == 2);
        JsonNode paid = updates().get(1).path("message").path("successful_payment");
        String charge = paid.path("telegram_payment_charge_id").asString();
        assertThat(charge).isNotBlank();
        assertThat(paid.path("currency").asString()).isEqualTo("XTR");
        assertThat(paid.path("total_amount").asLong()).isEqualTo(100);

        String refund = "{\"user_id\":" + USER + ",\"telegram_payment_charge_id\":\"" + charge + "\"}";
        assertThat(call("refundStarPayment", refund).status()).isEqualTo(200);
        assertThat(call("refundStarPayment", refund).json().path("description").asString())
                .isEqualTo("Bad Request: CHARGE_ALREADY_REFUNDED");
        assertThat(telegram.payments()).singleElement().satisfies(p -> assertThat(p.refunded()).isTrue());
    }

    @Test
    void aPreCheckoutNotAnsweredInTimeFailsThePaymentAndALateAnswerIsRefused() {
        telegram.answerCheckoutWithin(Duration.ofMillis(300));
        int invoiceId = call("sendInvoice", invoice("XTR", "")).json().path("result").path("message_id").asInt();
        String queryId = telegram.userPays(USER, invoiceId);

        await().atMost(Duration.ofSeconds(5)).until(() -> telegram.payments().getFirst().status().equals("EXPIRED"));
        TestHttp.Reply late = call("answerPreCheckoutQuery", "{\"pre_checkout_query_id\":\"" + queryId
                + "\",\"ok\":true}");

        assertThat(late.status()).isEqualTo(400);
        assertThat(updates()).hasSize(1); // the pre-checkout query, and no successful payment
    }

    @Test
    void aDeclinedPreCheckoutNeedsAReasonAndMakesNoPayment() {
        int invoiceId = call("sendInvoice", invoice("XTR", "")).json().path("result").path("message_id").asInt();
        String queryId = telegram.userPays(USER, invoiceId);

        TestHttp.Reply noReason = call("answerPreCheckoutQuery", "{\"pre_checkout_query_id\":\"" + queryId
                + "\",\"ok\":false}");
        call("answerPreCheckoutQuery", "{\"pre_checkout_query_id\":\"" + queryId
                + "\",\"ok\":false,\"error_message\":\"This offer has expired\"}");

        assertThat(noReason.status()).isEqualTo(400);
        assertThat(telegram.payments().getFirst().status()).isEqualTo("DECLINED");
        assertThat(telegram.payments().getFirst().chargeId()).isNull();
    }

    @Test
    void aWebhookGetsEachUpdateWithTheSecretTokenUntilItAcceptsItAndGetUpdatesIsRefusedMeanwhile() throws Exception {
        List<String> secrets = new CopyOnWriteArrayList<>();
        List<Integer> ids = new CopyOnWriteArrayList<>();
        AtomicInteger refuseFirst = new AtomicInteger(2);
        HttpServer hook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        hook.createContext("/telegram/webhook", ex -> {
            JsonNode update = Http.JSON.readTree(ex.getRequestBody().readAllBytes());
            secrets.add(ex.getRequestHeaders().getFirst("X-Telegram-Bot-Api-Secret-Token"));
            boolean refuse = refuseFirst.getAndDecrement() > 0;
            if (!refuse) {
                ids.add(update.path("update_id").asInt());
            }
            ex.sendResponseHeaders(refuse ? 500 : 200, -1);
            ex.close();
        });
        hook.start();
        try {
            String url = "http://127.0.0.1:" + hook.getAddress().getPort() + "/telegram/webhook";
            assertThat(call("setWebhook", "{\"url\":\"" + url + "\",\"secret_token\":\"s3cr-et_\"}").status())
                    .isEqualTo(200);
            int first = telegram.userSays(USER, USER, "/start");
            int second = telegram.userSays(USER, USER, "/help");

            await().atMost(Duration.ofSeconds(10)).until(() -> ids.size() == 2);
            assertThat(ids).containsExactly(first, second);
            assertThat(secrets).hasSize(4).containsOnly("s3cr-et_");
            assertThat(call("getUpdates", "{}").status()).isEqualTo(409);
            assertThat(call("setWebhook", "{\"url\":\"" + url + "\",\"secret_token\":\"bad token!\"}").status())
                    .isEqualTo(400);
            assertThat(call("setWebhook", "{\"url\":\"http://example.com/hook\"}").status()).isEqualTo(400);

            call("deleteWebhook", "{}");
            assertThat(call("getUpdates", "{\"timeout\":0}").status()).isEqualTo(200);
        } finally {
            hook.stop(0);
        }
    }

    private static String invoice(String currency, String provider) {
        return "{\"chat_id\":" + USER + ",\"title\":\"100 Stars\",\"description\":\"Top up your balance\","
                + "\"payload\":\"topup:100\"," + provider + "\"currency\":\"" + currency + "\","
                + "\"prices\":[{\"label\":\"Top-up\",\"amount\":100}]}";
    }
}
