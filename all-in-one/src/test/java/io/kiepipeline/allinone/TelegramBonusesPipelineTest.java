package io.kiepipeline.allinone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kiepipeline.allinone.EmbeddedPipeline.Service;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The welcome bonus (once per user) and the referral bonus (once per invited user, on their first paid top-up), both
 * ledger deposits with references of their own.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TelegramBonusesPipelineTest extends PipelineTest {
    @BeforeAll
    void bonusesOn() {
        restart(Service.BOT, Map.of("WELCOME_BONUS_MINOR", "500", "REFERRAL_BONUS_MINOR", "1000",
                "TELEGRAM_BOT_USERNAME", "kie_pipeline_bot"));
    }

    @AfterAll
    void bonusesOff() {
        restart(Service.BOT, Map.of());
    }

    @Test
    void aNewcomerGetsTheWelcomeBonusOnce() {
        long user = aNewUser();

        telegram.userSays(user, user, "/start");
        assertThat(awaitBotText(user, "Welcome! A bonus of")).contains("5.00 RUB");
        await().atMost(PATIENCE).until(() -> available(user) == 500);
        telegram.userSays(user, user, "/start");
        telegram.userSays(user, user, "/balance");

        awaitBotText(user, "💰 Balance");
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4)).until(() -> available(user) == 500);
        assertThat(db.count("select count(*) from ledger.deposit where user_id = ?", user)).isEqualTo(1);
    }

    @Test
    void anInviterIsCreditedOnceWhenTheInvitedUserFirstPays() {
        long inviter = aNewUser();
        telegram.userSays(inviter, inviter, "/invite");
        String invitation = awaitBotText(inviter, "Invite friends");
        assertThat(invitation).contains("https://t.me/kie_pipeline_bot?start=ref_").contains("10.00 RUB");
        String code = invitation.substring(invitation.indexOf("start=") + 6).split("\\s")[0];
        await().atMost(PATIENCE).until(() -> available(inviter) == 500);
        long friend = aNewUser();

        telegram.userSays(friend, friend, "/start " + code);
        await().atMost(PATIENCE).until(() -> available(friend) == 500);
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> available(inviter) == 500);
        // a top-up smaller than the bonus does not count: an account paying one Star would earn its inviter more
        payCustomStars(friend, 1);
        await().atMost(PATIENCE).until(() -> available(friend) == 500 + 200);
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4)).until(() -> available(inviter) == 500);
        payStars(friend, "ts:50");
        payStars(friend, "ts:50");

        assertThat(awaitBotText(inviter, "A friend you invited")).contains("+10.00 RUB");
        await().atMost(PATIENCE).until(() -> available(inviter) == 1_500);
        await().atMost(PATIENCE).until(() -> available(friend) == 500 + 200 + 2 * 10_000);
        assertThat(db.count("select count(*) from ledger.deposit where user_id = ? and reference like"
                + " 'referral-bonus:%'", inviter)).isEqualTo(1);
    }

    @Test
    void nobodyInvitesThemselves() {
        long user = aNewUser();
        telegram.userSays(user, user, "/start ref_" + Long.toString(user, 36));
        await().atMost(PATIENCE).until(() -> available(user) == 500);

        payStars(user, "ts:50");

        await().atMost(PATIENCE).until(() -> available(user) == 500 + 10_000);
        assertThat(db.count("select count(*) from ledger.deposit where reference = ?", "referral-bonus:" + user))
                .isZero();
    }

    private void payCustomStars(long user, int stars) {
        int before = telegram.invoicesTo(user).size();
        telegram.userSays(user, user, "/topup");
        tap(user, awaitButton(user, "ts:other"));
        awaitBotText(user, "How many Stars");
        telegram.userSays(user, user, Integer.toString(stars));
        await().atMost(PATIENCE).until(() -> telegram.invoicesTo(user).size() > before);
        String query = telegram.userPays(user, telegram.invoicesTo(user).getLast().messageId());
        await().atMost(PATIENCE).until(() -> telegram.payments().stream()
                .anyMatch(p -> p.preCheckoutQueryId().equals(query) && p.status().equals("PAID")));
    }
}
