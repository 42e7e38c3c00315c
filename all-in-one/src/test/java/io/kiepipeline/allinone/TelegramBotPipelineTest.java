package io.kiepipeline.allinone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kiepipeline.emulators.TelegramEmulator.Sent;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The bot's commands, as a user sees them in the chat. */
class TelegramBotPipelineTest extends PipelineTest {
    @Test
    void registersItsCommandsForTheMenuInEnglishAndRussian() {
        org.awaitility.Awaitility.await().atMost(PATIENCE).until(() -> telegram.commands().containsKey("ru")
                && telegram.commands().containsKey(""));

        assertThat(telegram.commands().get("").toString()).contains("\"command\":\"start\"")
                .contains("\"command\":\"balance\"");
        assertThat(telegram.commands().get("ru").toString()).contains("Меню и баланс");
    }

    @Test
    void greetsWithTheBalanceOnStart() {
        long user = aUserWithBalance(12_345);

        telegram.userSays(user, user, "/start");

        assertThat(awaitMessages(user, 1).getFirst().text()).contains("Hi!").contains("Balance: 123.45 RUB")
                .contains("/generate");
    }

    @Test
    void showsTheBalanceAndWhatIsHeld() {
        long user = aUserWithBalance(5_000);

        telegram.userSays(user, user, "/balance");

        assertThat(awaitMessages(user, 1).getFirst().text()).isEqualTo("Balance: 50.00 RUB");
    }

    @Test
    void keepsAnsweringAfterAnUpdateItCannotRead() {
        long user = aUserWithBalance(5_000);
        // a field of an unexpected type: the library alone fails the whole getUpdates batch, and then every poll after
        telegram.rawUpdate(java.util.Map.of("message", java.util.Map.of("message_id", 1, "date", "yesterday",
                "chat", java.util.Map.of("id", "not a number"))));
        telegram.userSays(user, user, "/balance");

        assertThat(awaitMessages(user, 1).getFirst().text()).isEqualTo("Balance: 50.00 RUB");
    }

    @Test
    void ignoresMessagesThatNoPersonSent() {
        long user = aUserWithBalance(5_000);
        java.util.Map<String, Object> fromABot = java.util.Map.of("message_id", 1, "date", 1, "text",
                "/generate google/nano-banana a fox", "chat", java.util.Map.of("id", user, "type", "private"),
                "from", java.util.Map.of("id", user, "is_bot", true, "first_name", "bot"));
        java.util.Map<String, Object> fromNobody = java.util.Map.of("message_id", 2, "date", 1, "text",
                "/generate google/nano-banana a fox", "chat", java.util.Map.of("id", user, "type", "private"),
                "from", java.util.Map.of("id", -user, "is_bot", false, "first_name", "x"));
        telegram.rawUpdate(java.util.Map.of("message", fromABot));
        telegram.rawUpdate(java.util.Map.of("message", fromNobody));
        telegram.userSays(user, user, "/balance");

        assertThat(awaitMessages(user, 1)).singleElement().extracting(Sent::text)
                .isEqualTo("Balance: 50.00 RUB");
        assertThat(db.count("select count(*) from orchestrator.job where user_id in (?, ?)", user, -user)).isZero();
    }

    @Test
    void listsTheModelsWithTheirPrices() {
        long user = aNewUser();

        telegram.userSays(user, user, "/models");

        assertThat(awaitMessages(user, 1).getFirst().text()).contains("google/nano-banana (IMAGE): free")
                .contains("nano-banana-pro (IMAGE): 15.00 RUB")
                // the price /generate charges: Wan 2.6's default options (1080p, 5 s), not its lowest
                .contains("wan/2-6-text-to-video (VIDEO): 105.00 RUB");
    }

    @Test
    void refusesAModelNameOverTheLimitWithoutMakingAJob() {
        long user = aUserWithBalance(10_000);

        telegram.userSays(user, user, "/generate " + "m".repeat(300) + " a fox");

        assertThat(awaitMessages(user, 1).getFirst().text()).contains("/models");
        assertThat(db.count("select count(*) from orchestrator.job where user_id = ?", user)).isZero();
        assertThat(available(user)).isEqualTo(10_000);
    }

    @Test
    void generatesAPaidImageFromTheChatAndChargesOnce() {
        long user = aUserWithBalance(10_000);
        String prompt = aPrompt("a fox drawn from the chat");

        telegram.userSays(user, user, "/generate nano-banana-pro " + prompt);

        await().atMost(PATIENCE).until(() -> telegram.sentTo(user).stream()
                .anyMatch(m -> "sendPhoto".equals(m.method())));
        List<Sent> sent = telegram.sentTo(user);
        assertThat(sent.getFirst().text()).startsWith("⏳");
        assertThat(kie.callsFor(prompt)).hasSize(1);
        await().atMost(PATIENCE).until(() -> held(user) == 0);
        assertThat(available(user)).isEqualTo(10_000 - 1500);
    }

    @Test
    void explainsHowToUseGenerateWithoutAPrompt() {
        long user = aNewUser();

        telegram.userSays(user, user, "/generate");

        assertThat(awaitMessages(user, 1).getFirst().text()).startsWith("Usage: /generate <model> <prompt>");
    }
}
