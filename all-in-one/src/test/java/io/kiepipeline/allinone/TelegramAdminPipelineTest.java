package io.kiepipeline.allinone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kiepipeline.allinone.EmbeddedPipeline.Service;
import io.kiepipeline.emulators.TelegramEmulator;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The admin panel in the chat, for the users in ADMIN_USER_IDS only. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TelegramAdminPipelineTest extends PipelineTest {
    private final long admin = aNewUser();

    @BeforeAll
    void adminsOn() {
        restart(Service.BOT, Map.of("ADMIN_USER_IDS", "1," + admin, "BOT_BROADCAST_PER_SECOND", "30"));
    }

    @AfterAll
    void adminsOff() {
        restart(Service.BOT, Map.of());
    }

    @Test
    void toAnyoneElseAdminIsAnUnknownCommand() {
        long user = aNewUser();

        telegram.userSays(user, user, "/admin credit " + user + " 1000.00 free money");

        awaitBotText(user, "I don't know that command");
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4)).until(() -> available(user) == 0);
    }

    @Test
    void showsTheLast24HoursWithTheKieAccounts() {
        long user = aUserWithBalance(10_000);
        awaitStatus(request(user, "nano-banana-pro", aPrompt("a fox for the figures")), "DELIVERED");

        telegram.userSays(admin, admin, "/admin");

        assertThat(awaitBotText(admin, "The last 24 h")).contains("DELIVERED").contains("Revenue (captured)")
                .contains("nano-banana-pro").contains("KIE key").contains("/admin credit");
    }

    @Test
    void creditsAUserWithAReasonThroughTheLedger() {
        long user = aNewUser();

        telegram.userSays(admin, admin, "/admin credit " + user + " 12.50 a goodwill gesture");

        assertThat(awaitBotText(admin, "Crediting", "to user " + user + ":")).contains("12.50 RUB")
                .contains("a goodwill gesture");
        await().atMost(PATIENCE).until(() -> available(user) == 1_250);
        assertThat(db.count("select count(*) from ledger.deposit where user_id = ? and reference like"
                + " 'admin-credit:%:a goodwill gesture'", user)).isEqualTo(1);
        telegram.userSays(admin, admin, "/admin user " + user);
        assertThat(awaitBotText(admin, "User " + user)).contains("Balance: 12.50 RUB");
    }

    @Test
    void refusesACreditItCannotReadAndSaysWhy() {
        telegram.userSays(admin, admin, "/admin credit 42 a-lot because");
        telegram.userSays(admin, admin, "/admin credit 42 1.005 three decimals");
        telegram.userSays(admin, admin, "/admin credit 42 5.00");

        awaitBotText(admin, "not a number: a-lot");
        awaitBotText(admin, "more than two decimals");
        awaitBotText(admin, "say why");
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> available(42) >= 0);
        assertThat(db.count("select count(*) from ledger.deposit where reference like 'admin-credit:%'"
                + " and user_id = 42")).isZero();
    }

    @Test
    void aBroadcastReachesEveryKnownUserButTheBannedOnce() {
        long one = aNewUser();
        long two = aNewUser();
        long banned = aNewUser();
        for (long u : new long[] {one, two, banned}) {
            telegram.userSays(u, u, "/start");
            awaitBotText(u, "Hi!");
        }
        telegram.userSays(admin, admin, "/admin ban " + banned + " no news for you");
        awaitBotText(admin, "is banned");

        telegram.userSays(admin, admin, "/admin broadcast New <models> & lower prices!");

        awaitBotText(admin, "Broadcast queued");
        awaitBotText(admin, "Broadcast done");
        awaitBotText(one, "New &lt;models&gt; &amp; lower prices!");
        awaitBotText(two, "New &lt;models&gt; &amp; lower prices!");
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4)).until(() -> telegram.chat(banned)
                .stream().noneMatch(l -> l.text() != null && l.text().contains("lower prices")));
        assertThat(telegram.chat(one).stream().filter(l -> l.text() != null && l.text().contains("lower prices")))
                .hasSize(1);
    }

    @Test
    void aBannedUserIsToldSoWhateverTheySendAndStartsNothing() {
        long user = aUserWithBalance(10_000);
        telegram.userSays(admin, admin, "/admin ban " + user + " spamming the bot");
        awaitBotText(admin, "is banned");

        telegram.userSays(user, user, "/generate nano-banana-pro " + aPrompt("a banned fox"));
        telegram.userTaps(user, user, 1, "menu");

        awaitBotText(user, "This account is blocked");
        await().atMost(PATIENCE).until(() -> telegram.callbackAnswers().stream()
                .anyMatch(a -> a.text() != null && a.text().contains("blocked")));
        assertThat(telegram.chat(user)).noneMatch(l -> l.replyMarkup() != null && l.replyMarkup().contains("d:"));

        telegram.userSays(admin, admin, "/admin unban " + user);
        awaitBotText(admin, "no longer banned");
        telegram.userSays(user, user, "/balance");
        awaitBotText(user, "💰 Balance");
    }

    @Test
    void debitsWhatIsAvailableAndRefusesMoreTakingNothing() {
        long user = aUserWithBalance(1_000);

        telegram.userSays(admin, admin, "/admin debit " + user + " 4.00 a duplicate top-up");
        assertThat(awaitBotText(admin, "Debited", "from user " + user + ".")).contains("4.00 RUB")
                .contains("Available now: 6.00 RUB");
        telegram.userSays(admin, admin, "/admin debit " + user + " 7.00 too much");

        assertThat(awaitBotText(admin, "was refused", "from user " + user + " ")).contains("INSUFFICIENT_FUNDS")
                .contains("6.00 RUB");
        assertThat(available(user)).isEqualTo(600);
        assertThat(db.count("select debited_minor from ledger.account where user_id = ?", user)).isEqualTo(400);
    }

    @Test
    void refundsAStarsPaymentOnlyAfterTakingItsCreditBack() {
        long user = aNewUser();
        TelegramEmulator.Payment paid = payStars(user, "ts:50");
        await().atMost(PATIENCE).until(() -> available(user) == 10_000);

        telegram.userSays(admin, admin, "/admin refund " + paid.chargeId());

        assertThat(awaitBotText(admin, "Refunded 50 Stars to user " + user + ";")).contains("100.00 RUB");
        await().atMost(PATIENCE).until(() -> telegram.payments().stream()
                .anyMatch(p -> p.chargeId() != null && p.chargeId().equals(paid.chargeId()) && p.refunded()));
        assertThat(awaitBotText(user, "was refunded")).contains("100.00 RUB");
        assertThat(available(user)).isZero();
        telegram.userSays(admin, admin, "/admin refund " + paid.chargeId());
        await().atMost(PATIENCE).until(() -> telegram.chat(admin).stream().filter(l -> l.text() != null
                && l.text().contains("is REFUNDED: nothing to refund")).count() >= 1);
    }

    @Test
    void doesNotRefundAPaymentWhoseCreditWasSpent() {
        long user = aNewUser();
        TelegramEmulator.Payment paid = payStars(user, "ts:50");
        await().atMost(PATIENCE).until(() -> available(user) == 10_000);
        telegram.userSays(admin, admin, "/admin debit " + user + " 30.00 spent on a job, say");
        await().atMost(PATIENCE).until(() -> available(user) == 7_000);

        telegram.userSays(admin, admin, "/admin refund " + paid.chargeId());

        assertThat(awaitBotText(admin, "Cannot refund user " + user + ":")).contains("INSUFFICIENT_FUNDS");
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4)).until(() -> telegram.payments().stream()
                .noneMatch(p -> paid.chargeId().equals(p.chargeId()) && p.refunded()));
        assertThat(available(user)).isEqualTo(7_000);
    }

    @Test
    void switchesAModelOffAndFreeAndBackAtOnce() {
        long user = aUserWithBalance(10_000);
        try {
            // an id with a slash, as most are
            telegram.userSays(admin, admin, "/admin model google/nano-banana-edit off");
            awaitBotText(admin, "google/nano-banana-edit: off sale");
            telegram.userSays(admin, admin, "/admin model google/nano-banana-edit on");
            awaitBotText(admin, "google/nano-banana-edit: on sale");
            telegram.userSays(admin, admin, "/admin model nano-banana-pro off");
            awaitBotText(admin, "nano-banana-pro: off sale");
            telegram.userSays(user, user, "/generate nano-banana-pro a fox while it is off");
            awaitBotText(user, "There is no model with that name");

            telegram.userSays(admin, admin, "/admin model nano-banana-pro on");
            telegram.userSays(admin, admin, "/admin model nano-banana-pro free");
            awaitBotText(admin, "nano-banana-pro: on sale, free");
            String prompt = aPrompt("a fox for free");
            telegram.userSays(user, user, "/generate nano-banana-pro " + prompt);
            tap(user, awaitButton(user, "d:nano-banana-pro"));
            tap(user, awaitButton(user, "ok:"));
            await().atMost(PATIENCE).until(() -> kie.callsFor(prompt).size() == 1);
            await().atMost(PATIENCE).until(() -> db.count("select count(*) from orchestrator.job where user_id = ?"
                    + " and status = 'DELIVERED' and price_minor = 0", user) == 1);
            assertThat(available(user)).isEqualTo(10_000);
        } finally {
            telegram.userSays(admin, admin, "/admin model nano-banana-pro paid");
            awaitBotText(admin, "nano-banana-pro: on sale, paid");
        }
    }

    @Test
    void refusesToSwitchAModelThatDoesNotExist() {
        telegram.userSays(admin, admin, "/admin model no/such-model off");

        awaitBotText(admin, "no model no/such-model");
    }
}
