package io.kiepipeline.allinone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kiepipeline.allinone.EmbeddedPipeline.Service;
import io.kiepipeline.emulators.TelegramEmulator.Sent;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The bot as a user sees it in the chat: the gateway publishes each update, the bot service answers through the
 * delivery-worker, and jobs start only from a confirmed quote (ADR 11).
 */
class TelegramBotPipelineTest extends PipelineTest {
    @Test
    void registersItsCommandsForTheMenuInEnglishAndRussian() {
        await().atMost(PATIENCE).until(() -> telegram.commands().containsKey("ru")
                && telegram.commands().containsKey(""));

        assertThat(telegram.commands().get("").toString()).contains("\"command\":\"start\"")
                .contains("\"command\":\"balance\"");
        assertThat(telegram.commands().get("ru").toString()).contains("Меню и баланс");
    }

    @Test
    void greetsWithTheBalanceAndTheMenuOnStart() {
        long user = aUserWithBalance(12_345);

        telegram.userSays(user, user, "/start");

        assertThat(awaitBotText(user, "Hi!")).contains("123.45 RUB");
        assertThat(awaitButton(user, "s:IMAGES").text()).contains("What shall we make?");
    }

    @Test
    void speaksRussianToARussianSpeaker() {
        long user = aUserWithBalance(5_000);

        telegram.userSays(user, user, "/start", "ru");

        assertThat(awaitBotText(user, "Привет")).contains("50.00");
    }

    @Test
    void showsTheBalance() {
        long user = aUserWithBalance(5_000);

        telegram.userSays(user, user, "/balance");

        assertThat(awaitBotText(user, "Balance")).contains("50.00 RUB");
    }

    @Test
    void theBalanceShowsTheLastMovements() {
        long user = aUserWithBalance(10_000);
        awaitStatus(request(user, "nano-banana-pro", aPrompt("a fox for the movements")), "DELIVERED");
        await().atMost(PATIENCE).until(() -> held(user) == 0);

        telegram.userSays(user, user, "/balance");

        assertThat(awaitBotText(user, "Last movements")).contains("85.00 RUB").contains("➕ 100.00 RUB top-up")
                .contains("⏳ 15.00 RUB set aside for a job").contains("✅ 15.00 RUB charged for a result");
    }

    @Test
    void keepsAnsweringAfterAnUpdateItCannotRead() {
        long user = aUserWithBalance(5_000);
        // a field of an unexpected type: the library alone fails the whole getUpdates batch, and then every poll after
        telegram.rawUpdate(Map.of("message", Map.of("message_id", 1, "date", "yesterday",
                "chat", Map.of("id", "not a number"))));
        telegram.userSays(user, user, "/balance");

        assertThat(awaitBotText(user, "Balance")).contains("50.00 RUB");
    }

    @Test
    void ignoresMessagesThatNoPersonSent() {
        long user = aUserWithBalance(5_000);
        Map<String, Object> fromABot = Map.of("message_id", 1, "date", 1, "text",
                "/generate google/nano-banana a fox", "chat", Map.of("id", user, "type", "private"),
                "from", Map.of("id", user, "is_bot", true, "first_name", "bot"));
        Map<String, Object> fromNobody = Map.of("message_id", 2, "date", 1, "text",
                "/generate google/nano-banana a fox", "chat", Map.of("id", user, "type", "private"),
                "from", Map.of("id", -user, "is_bot", false, "first_name", "x"));
        telegram.rawUpdate(Map.of("message", fromABot));
        telegram.rawUpdate(Map.of("message", fromNobody));
        telegram.userSays(user, user, "/balance");

        awaitBotText(user, "Balance");
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3))
                .until(() -> telegram.sentTo(user).size() == 1);
        assertThat(db.count("select count(*) from orchestrator.job where user_id in (?, ?)", user, -user)).isZero();
    }

    @Test
    void walksFromTheMenuToAModelsCardWithItsPrice() {
        long user = aNewUser();
        telegram.userSays(user, user, "/start");

        tap(user, awaitButton(user, "s:IMAGES"));
        tap(user, awaitButton(user, "m:nano-banana-pro"));

        assertThat(awaitBotText(user, "Price")).contains("15.00 RUB");
        assertThat(awaitButton(user, "g:nano-banana-pro")).isNotNull();
        assertThat(telegram.callbackAnswers()).isNotEmpty();
    }

    @Test
    void refusesAModelNameOverTheLimitWithoutMakingAJob() {
        long user = aUserWithBalance(10_000);

        telegram.userSays(user, user, "/generate " + "m".repeat(300) + " a fox");

        awaitBotText(user, "There is no model with that name");
        assertThat(db.count("select count(*) from orchestrator.job where user_id = ?", user)).isZero();
        assertThat(available(user)).isEqualTo(10_000);
    }

    @Test
    void generatesAPaidImageAfterTheUserConfirmsThePriceAndChargesOnce() {
        long user = aUserWithBalance(10_000);
        String prompt = aPrompt("a fox drawn from the chat");

        telegram.userSays(user, user, "/generate nano-banana-pro " + prompt);
        tap(user, awaitButton(user, "d:nano-banana-pro"));
        PipelineTest.Button confirm = awaitButton(user, "ok:");
        assertThat(confirm.text()).contains("15.00 RUB").contains("85.00 RUB").contains("charged only");
        assertThat(db.count("select count(*) from orchestrator.job where user_id = ?", user))
                .as("nothing starts before the user confirms").isZero();
        tap(user, confirm);

        await().atMost(PATIENCE).until(() -> telegram.sentTo(user).stream()
                .anyMatch(m -> "sendPhoto".equals(m.method())));
        assertThat(kie.callsFor(prompt)).hasSize(1);
        await().atMost(PATIENCE).until(() -> held(user) == 0);
        assertThat(available(user)).isEqualTo(10_000 - 1500);
        // the confirmation became the job's one progress message, edited in place to the end: the charge, and the
        // balance after it
        assertThat(awaitBotText(user, "✅ <b>nano-banana-pro</b>: done. Charged 15.00 RUB; balance: <b>85.00 RUB</b>"))
                .isNotNull();
        assertThat(telegram.chat(user).stream().filter(l -> l.messageId() == confirm.messageId()))
                .singleElement().satisfies(l -> assertThat(l.edited()).isTrue());
        // and the result's caption: the model, the prompt, the price charged, the balance after
        assertThat(telegram.sentTo(user)).filteredOn(m -> "sendPhoto".equals(m.method()))
                .singleElement().extracting(Sent::text).isEqualTo("✅ Done: <b>nano-banana-pro</b>\n<i>"
                        + prompt + "</i>\nCharged: 15.00 RUB\nBalance: <b>85.00 RUB</b>");
    }

    @Test
    void historyShowsTheLastJobsAndRepeatsOneWithTheSameOptions() {
        long user = aUserWithBalance(10_000);
        String prompt = aPrompt("a fox worth repeating");
        telegram.userSays(user, user, "/generate nano-banana-pro " + prompt);
        tap(user, awaitButton(user, "d:nano-banana-pro"));
        tap(user, awaitButton(user, "ok:"));
        // the capture: the orchestrator's job, which the history shows, is SUCCEEDED from the moment it asked for it
        await().atMost(PATIENCE).until(() -> settled(user, 10_000 - 1500));

        telegram.userSays(user, user, "/history");

        assertThat(awaitBotText(user, "Your last jobs")).contains("✅ done, 15.00 RUB").contains(prompt);
        assertThat(awaitButton(user, "rs:")).isNotNull();
        tap(user, awaitButton(user, "rp:"));
        tap(user, awaitButton(user, "d:nano-banana-pro"));
        PipelineTest.Button again = awaitButton(user, "ok:");
        assertThat(again.text()).contains(prompt).contains("70.00 RUB");
    }

    @Test
    void aDoubleTapOnConfirmMakesOneJob() {
        long user = aUserWithBalance(10_000);
        String prompt = aPrompt("a fox confirmed twice");
        telegram.userSays(user, user, "/generate nano-banana-pro " + prompt);
        tap(user, awaitButton(user, "d:nano-banana-pro"));
        PipelineTest.Button confirm = awaitButton(user, "ok:");

        tap(user, confirm);
        tap(user, confirm);

        await().atMost(PATIENCE).until(() -> telegram.sentTo(user).stream()
                .anyMatch(m -> "sendPhoto".equals(m.method())));
        await().atMost(PATIENCE).until(() -> held(user) == 0);
        assertThat(db.count("select count(*) from orchestrator.job where user_id = ?", user)).isEqualTo(1);
        assertThat(kie.callsFor(prompt)).hasSize(1);
        assertThat(available(user)).isEqualTo(10_000 - 1500);
        assertThat(telegram.callbackAnswers().size()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void aConversationSurvivesARestartOfTheBot() {
        long user = aUserWithBalance(10_000);
        String prompt = aPrompt("a fox across a restart");
        telegram.userSays(user, user, "/generate nano-banana-pro " + prompt);
        PipelineTest.Button defaults = awaitButton(user, "d:nano-banana-pro");

        pipeline.restartService(Service.BOT);
        tap(user, defaults);
        tap(user, awaitButton(user, "ok:"));

        await().atMost(PATIENCE).until(() -> telegram.sentTo(user).stream()
                .anyMatch(m -> "sendPhoto".equals(m.method())));
        assertThat(kie.callsFor(prompt)).hasSize(1);
    }

    @Test
    void answersStickersAndStaleButtons() {
        long user = aNewUser();
        telegram.rawUpdate(Map.of("message", Map.of("message_id", 3, "date", 1, "sticker", Map.of("file_id", "x"),
                "chat", Map.of("id", user, "type", "private"),
                "from", Map.of("id", user, "is_bot", false, "first_name", "s"))));

        awaitBotText(user, "I can't use that here");

        telegram.userTaps(user, user, 999_999, "ok:a-quote-long-gone");
        await().atMost(PATIENCE).until(() -> telegram.callbackAnswers().stream()
                .anyMatch(a -> a.text() != null && a.text().contains("out of date")));
    }

    @Test
    void explainsHowToUseGenerateWithoutAModel() {
        long user = aNewUser();

        telegram.userSays(user, user, "/generate");

        assertThat(awaitBotText(user, "Usage: /generate")).contains("/start");
        List<Sent> sent = telegram.sentTo(user);
        assertThat(sent).isNotEmpty();
    }
}
