package io.kiepipeline.allinone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kiepipeline.emulators.KieEmulator;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Photos for the edit and image→video models: the bot downloads the user's photo from Telegram and re-hosts it under an
 * unguessable, expiring address of this system, which KIE fetches. The bot token appears in no address that leaves the
 * system.
 */
class TelegramPhotoPipelineTest extends PipelineTest {
    /** A tiny JPEG (its first bytes, SOI and APP0, are what matters to the emulators). */
    private static final byte[] JPEG = jpeg();
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void editsAPhotoTheUserSentWhichKieFetchesFromThisSystem() throws Exception {
        long user = aUserWithBalance(10_000);
        String prompt = aPrompt("put a hat on this cat");
        telegram.userSays(user, user, "/generate google/nano-banana-edit " + prompt);
        awaitBotText(user, "send the photo");

        telegram.userSendsPhoto(user, user, JPEG, null);
        tap(user, awaitButton(user, "d:google/nano-banana-edit"));
        tap(user, awaitButton(user, "ok:"));

        await().atMost(PATIENCE).until(() -> telegram.sentTo(user).stream()
                .anyMatch(m -> "sendPhoto".equals(m.method())));
        List<KieEmulator.Task> tasks = kie.tasksFor(prompt);
        assertThat(tasks).hasSize(1);
        String url = tasks.getFirst().input().path("image_urls").get(0).asString();
        assertThat(url).startsWith(pipeline.gatewayUrl() + "/media/").matches(".*/media/[A-Za-z0-9_-]{43}\\.jpg");
        assertThat(kie.inputFetches()).filteredOn(f -> f.url().equals(url)).singleElement()
                .satisfies(f -> {
                    assertThat(f.status()).isEqualTo(200);
                    assertThat(f.bytes()).isEqualTo(JPEG.length);
                    assertThat(f.contentType()).startsWith("image/");
                });
        await().atMost(PATIENCE).until(() -> held(user) == 0);
        assertThat(available(user)).isLessThan(10_000);

        String token = pipeline.env("TELEGRAM_BOT_TOKEN");
        assertThat(kie.tasksFor("")).as("what KIE was sent").allSatisfy(t -> {
            assertThat(t.input().toString()).doesNotContain(token);
            assertThat(String.valueOf(t.callBackUrl())).doesNotContain(token);
        });
        assertThat(kie.inputFetches()).noneMatch(f -> f.url().contains(token));
        assertThat(telegram.allSent()).as("what users were sent").noneMatch(m -> String.valueOf(m.text())
                .contains(token) || String.valueOf(m.mediaUrl()).contains(token));
        assertThat(LogCapture.lines()).noneMatch(l -> l.contains(token));
    }

    @Test
    void aReHostedPhotoIsServedOnlyUnderItsTokenAndOnlyUntilItExpires() throws Exception {
        long user = aUserWithBalance(10_000);
        telegram.userSays(user, user, "/generate google/nano-banana-edit " + aPrompt("a hat"));
        awaitBotText(user, "send the photo");
        telegram.userSendsPhoto(user, user, JPEG, null);
        awaitButton(user, "d:google/nano-banana-edit");
        String stored = (String) db.rows("select token from bot.media where chat_id = ?", user).getFirst()
                .get("token");

        assertThat(get("/media/" + stored + ".jpg").statusCode()).isEqualTo(200);
        assertThat(get("/media/" + stored + ".jpg").body()).isEqualTo(JPEG);
        assertThat(get("/media/" + "A".repeat(43) + ".jpg").statusCode()).as("a token never given").isEqualTo(404);
        assertThat(get("/media/..%2F..%2Fetc%2Fpasswd").statusCode()).isIn(400, 404);
        assertThat(get("/media/" + stored.substring(1) + ".jpg").statusCode()).isEqualTo(404);

        db.update("update bot.media set expires_at = now() - interval '1 second' where token = ?", stored);
        assertThat(get("/media/" + stored + ".jpg").statusCode()).as("expired").isEqualTo(404);
    }

    @Test
    void aConfirmationWhosePhotoIsAboutToExpireStartsOverInsteadOfChargingForAJobKieCannotFetch() {
        long user = aUserWithBalance(10_000);
        String prompt = aPrompt("a hat for a photo that expires");
        telegram.userSays(user, user, "/generate google/nano-banana-edit " + prompt);
        awaitBotText(user, "send the photo");
        telegram.userSendsPhoto(user, user, JPEG, null);
        tap(user, awaitButton(user, "d:google/nano-banana-edit"));
        PipelineTest.Button confirm = awaitButton(user, "ok:");
        db.update("update bot.media set expires_at = now() + interval '1 minute' where chat_id = ?", user);

        tap(user, confirm);

        awaitBotText(user, "no longer kept");
        assertThat(db.count("select count(*) from orchestrator.job where user_id = ?", user)).isZero();
        assertThat(kie.tasksFor(prompt)).isEmpty();
        assertThat(available(user)).isEqualTo(10_000);
    }

    @Test
    void aConfirmedJobKeepsItsPhotoForAWholeTtl() {
        long user = aUserWithBalance(10_000);
        telegram.userSays(user, user, "/generate google/nano-banana-edit " + aPrompt("a hat, kept"));
        awaitBotText(user, "send the photo");
        telegram.userSendsPhoto(user, user, JPEG, null);
        tap(user, awaitButton(user, "d:google/nano-banana-edit"));
        PipelineTest.Button confirm = awaitButton(user, "ok:");
        db.update("update bot.media set expires_at = now() + interval '30 minutes' where chat_id = ?", user);

        tap(user, confirm);

        await().atMost(PATIENCE).until(() -> db.count("select count(*) from bot.media where chat_id = ?"
                + " and expires_at > now() + interval '23 hours'", user) == 1);
    }

    @Test
    void aPhotoOutsideTheWizardIsAnsweredAndNotDownloaded() {
        long user = aNewUser();
        long before = db.count("select count(*) from bot.media");

        telegram.userSendsPhoto(user, user, JPEG, "what is this?");

        awaitBotText(user, "pick a model that takes one first");
        assertThat(db.count("select count(*) from bot.media")).isEqualTo(before);
    }

    private HttpResponse<byte[]> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(pipeline.gatewayUrl() + path)).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    private static byte[] jpeg() {
        byte[] b = new byte[2048];
        byte[] head = {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xE0, 0, 16, 'J', 'F', 'I', 'F', 0};
        System.arraycopy(head, 0, b, 0, head.length);
        for (int i = head.length; i < b.length - 2; i++) {
            b[i] = (byte) (i * 31);
        }
        b[b.length - 2] = (byte) 0xFF;
        b[b.length - 1] = (byte) 0xD9;
        return b;
    }
}
