package io.kiepipeline.delivery.sending;

import static org.assertj.core.api.Assertions.assertThat;

import io.kiepipeline.delivery.DeliveryWorkerApplication;
import io.kiepipeline.emulators.KieEmulator;
import io.kiepipeline.emulators.TelegramEmulator;
import io.kiepipeline.emulators.TelegramEmulator.Failure;
import io.kiepipeline.schemas.ChatId;
import io.kiepipeline.schemas.DeliveryFailureReason;
import io.kiepipeline.schemas.JobEvent.JobSucceeded;
import io.kiepipeline.schemas.JobId;
import io.kiepipeline.schemas.OutputType;
import io.kiepipeline.schemas.UserId;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.telegram.telegrambots.client.okhttp.OkHttpTelegramClient;

/**
 * The sender against the Telegram emulator over HTTP (the real TelegramBots client, the real envelopes): one call per
 * send, and each answer classified once (sent, retry later, media refused, refused for good). It never waits.
 */
class TelegramSenderTest {
    private static final String TOKEN = "123456:sender-test-token";
    private static TelegramEmulator telegram;
    private static KieEmulator files;
    private static TelegramSender sender;
    private static long chats = 9_000;

    private static com.sun.net.httpserver.HttpServer fileHost;

    @BeforeAll
    static void start() throws Exception {
        fileHost = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        fileHost.start();
        telegram = TelegramEmulator.start(0, TOKEN);
        files = KieEmulator.start(0, "key", 0);
        sender = new TelegramSender(new OkHttpTelegramClient(TOKEN,
                DeliveryWorkerApplication.telegramUrl(telegram.baseUrl())));
    }

    @AfterAll
    static void stop() {
        fileHost.stop(0);
        telegram.close();
        files.close();
    }

    @Test
    void sendsEachOutputTypeWithItsOwnMethod() {
        long chat = ++chats;
        for (OutputType type : List.of(OutputType.IMAGE, OutputType.VIDEO, OutputType.AUDIO, OutputType.TEXT)) {
            String file = switch (type) {
                case IMAGE, TEXT -> "result.png";
                case VIDEO -> "result.mp4";
                case AUDIO -> "result.mp3";
            };
            for (OutgoingMessage m : Notices.result(result(chat, type, files.baseUrl() + "/files/" + file))) {
                assertThat(sender.send(new ChatId(chat), m)).isInstanceOf(SendOutcome.Sent.class);
            }
        }

        assertThat(telegram.sentTo(chat)).extracting(TelegramEmulator.Sent::method)
                .containsExactly("sendPhoto", "sendVideo", "sendAudio", "sendMessage");
    }

    @Test
    void reportsMediaTelegramCannotTakeSoThatTheLinkGoesAsText() {
        long chat = ++chats;
        String dead = files.baseUrl() + "/files/gone.png";
        OutgoingMessage photo = Notices.result(result(chat, OutputType.IMAGE, dead)).getFirst();

        SendOutcome outcome = sender.send(new ChatId(chat), photo);

        assertThat(outcome).isInstanceOfSatisfying(SendOutcome.MediaRefused.class,
                r -> assertThat(r.errorCode()).isEqualTo(400));
        assertThat(sender.send(new ChatId(chat), photo.asFallbackText())).isInstanceOf(SendOutcome.Sent.class);
        assertThat(telegram.sentTo(chat)).singleElement().satisfies(m -> {
            assertThat(m.method()).isEqualTo("sendMessage");
            assertThat(m.text()).contains(dead);
        });
    }

    @Test
    void reportsRetryAfterOn429WithoutWaitingForIt() {
        long chat = ++chats;
        telegram.failNext(chat, Failure.tooManyRequests(30));
        long start = System.nanoTime();

        SendOutcome outcome = sender.send(new ChatId(chat), OutgoingMessage.text("hello"));

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        assertThat(outcome).isInstanceOfSatisfying(SendOutcome.RetryLater.class, r -> {
            assertThat(r.retryAfter()).isEqualTo(Duration.ofSeconds(30));
            assertThat(r.errorCode()).isEqualTo(429);
        });
        assertThat(telegram.sentTo(chat)).isEmpty();
    }

    @Test
    void reportsServerErrorsAndOutagesAsWorthRetrying() {
        long chat = ++chats;
        telegram.failNext(chat, Failure.serverError());

        assertThat(sender.send(new ChatId(chat), OutgoingMessage.text("hello")))
                .isInstanceOfSatisfying(SendOutcome.RetryLater.class, r -> {
                    assertThat(r.retryAfter()).isNull();
                    assertThat(r.errorCode()).isEqualTo(500);
                });
        assertThat(telegram.sentTo(chat)).isEmpty();
    }

    @Test
    void stopsAtOnceWhenTheUserBlockedTheBot() {
        long chat = ++chats;
        telegram.block(chat);

        assertThat(sender.send(new ChatId(chat), OutgoingMessage.text("hello")))
                .isInstanceOfSatisfying(SendOutcome.Refused.class, r -> {
                    assertThat(r.reason()).isEqualTo(DeliveryFailureReason.BOT_BLOCKED);
                    assertThat(r.errorCode()).isEqualTo(403);
                });
        assertThat(telegram.sendCallsTo(chat)).isEqualTo(1);
    }

    @Test
    void uploadsAPhotoTelegramWillNotFetchByUrlBecauseItIsOverFiveMegabytes() {
        long chat = ++chats;
        byte[] photo = bytes(6 << 20);
        String url = files("/big-photo.jpg", photo);
        OutgoingMessage byUrl = Notices.result(result(chat, OutputType.IMAGE, url)).getFirst();

        assertThat(sender.send(new ChatId(chat), byUrl)).isInstanceOf(SendOutcome.MediaRefused.class);
        assertThat(sender.send(new ChatId(chat), byUrl.asUpload())).isInstanceOf(SendOutcome.Sent.class);

        assertThat(telegram.sentTo(chat)).singleElement().satisfies(m -> {
            assertThat(m.method()).isEqualTo("sendPhoto");
            assertThat(download(m.mediaUrl())).isEqualTo(photo);
        });
    }

    @Test
    void uploadsAPhotoOverTenMegabytesAsADocumentAndRefusesAFileOverFifty() {
        long chat = ++chats;
        String large = files("/large.png", bytes(12 << 20));
        String huge = files("/huge.mp4", bytes((50 << 20) + 1));

        SendOutcome photo = sender.send(new ChatId(chat),
                Notices.result(result(chat, OutputType.IMAGE, large)).getFirst().asUpload());
        SendOutcome video = sender.send(new ChatId(chat),
                Notices.result(result(chat, OutputType.VIDEO, huge)).getFirst().asUpload());

        assertThat(photo).isInstanceOf(SendOutcome.Sent.class);
        assertThat(telegram.sentTo(chat)).singleElement()
                .satisfies(m -> assertThat(m.method()).isEqualTo("sendDocument"));
        assertThat(video).isInstanceOfSatisfying(SendOutcome.MediaRefused.class,
                r -> assertThat(r.errorCode()).isEqualTo(413));
    }

    @Test
    void sendsSeveralImagesAsOneAlbumCaptionedOnItsFirstItem() {
        long chat = ++chats;
        String png = files.baseUrl() + "/files/result.png";
        List<String> urls = List.of(png, png + "?n=2", png + "?n=3");
        JobSucceeded e = new JobSucceeded(new JobId(UUID.randomUUID()), new UserId(chat), new ChatId(chat),
                "some/model", OutputType.IMAGE, urls, 0, "RUB", Instant.now(), "three cats");

        List<OutgoingMessage> messages = Notices.result(e);
        assertThat(messages).singleElement().satisfies(m ->
                assertThat(sender.send(new ChatId(chat), m)).isInstanceOf(SendOutcome.Sent.class));

        assertThat(telegram.sentTo(chat)).extracting(TelegramEmulator.Sent::method)
                .containsExactly("sendMediaGroup", "sendMediaGroup", "sendMediaGroup");
        assertThat(telegram.sentTo(chat).getFirst().text()).contains("three cats");
        assertThat(telegram.sentTo(chat).get(1).text()).isNull();
    }

    @Test
    void theUsersPromptInACaptionIsEscapedSoTelegramTakesItAsWritten() {
        long chat = ++chats;
        JobSucceeded e = new JobSucceeded(new JobId(UUID.randomUUID()), new UserId(chat), new ChatId(chat),
                "some/model", OutputType.IMAGE, List.of(files.baseUrl() + "/files/result.png"), 1500, "RUB",
                Instant.now(), "a <b>bold</b> cat & a </i> dog");

        assertThat(sender.send(new ChatId(chat), Notices.result(e).getFirst())).isInstanceOf(SendOutcome.Sent.class);

        assertThat(telegram.sentTo(chat).getFirst().text())
                .contains("<i>a &lt;b&gt;bold&lt;/b&gt; cat &amp; a &lt;/i&gt; dog</i>").contains("15.00");
    }

    private static byte[] bytes(int n) {
        byte[] b = new byte[n];
        new java.util.Random(n).nextBytes(b);
        return b;
    }

    /** Serves the bytes at a path of a small file host of this test's own; returns the URL. */
    private static String files(String path, byte[] body) {
        fileHost.createContext(path, ex -> {
            ex.sendResponseHeaders(200, body.length);
            try (java.io.OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        return "http://127.0.0.1:" + fileHost.getAddress().getPort() + path;
    }

    private static byte[] download(String url) {
        try {
            return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(url)).build(), java.net.http.HttpResponse.BodyHandlers.ofByteArray()).body();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static JobSucceeded result(long chat, OutputType type, String url) {
        return new JobSucceeded(new JobId(UUID.randomUUID()), new UserId(chat), new ChatId(chat), "some/model", type,
                List.of(url), 0, "RUB", Instant.now());
    }
}
