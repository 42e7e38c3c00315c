package io.kiepipeline.allinone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kiepipeline.allinone.EmbeddedPipeline.Service;
import io.kiepipeline.emulators.TelegramEmulator;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Card top-ups in the operator's currency, where the operator has a payment provider: the invoice carries the
 * provider's token (added by the delivery-worker, never in a message), and the receipt is credited like Stars.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TelegramCardPaymentsPipelineTest extends PipelineTest {
    private static final String PROVIDER_TOKEN = "284685063:TEST:provider-token-0123456789";

    @BeforeAll
    void cardsOn() {
        restart(Service.DELIVERY_WORKER, Map.of("PAYMENT_PROVIDER_TOKEN", PROVIDER_TOKEN));
        restart(Service.BOT, Map.of("TOPUP_CARD_PACKAGES", "50000,100000"));
    }

    @AfterAll
    void cardsOff() {
        restart(Service.BOT, Map.of());
        restart(Service.DELIVERY_WORKER, Map.of());
    }

    @Test
    void aCardTopUpInTheOperatorsCurrencyIsCreditedOnce() {
        long user = aNewUser();
        telegram.userSays(user, user, "/topup");

        tap(user, awaitButton(user, "tc:50000"));
        await().atMost(PATIENCE).until(() -> !telegram.invoicesTo(user).isEmpty());
        TelegramEmulator.Invoice invoice = telegram.invoicesTo(user).getLast();
        assertThat(invoice.currency()).isEqualTo("RUB");
        assertThat(invoice.totalAmount()).isEqualTo(50_000);
        assertThat(invoice.withProvider()).as("the provider's token went with the invoice").isTrue();
        String query = telegram.userPays(user, invoice.messageId());

        await().atMost(PATIENCE).until(() -> telegram.payments().stream()
                .anyMatch(p -> p.preCheckoutQueryId().equals(query) && p.status().equals("PAID")));
        assertThat(awaitBotText(user, "Payment received")).contains("+500.00 RUB");
        await().atMost(PATIENCE).until(() -> available(user) == 50_000);
        assertThat(db.count("select count(*) from ledger.deposit where user_id = ?", user)).isEqualTo(1);
        assertThat(db.count("select count(*) from delivery_worker.chat_command where body like '%provider-token%'"))
                .as("the token is in no command the bot sent").isZero();
        assertThat(db.count("select count(*) from delivery_worker.chat_command where chat_id = ? and kind = 'INVOICE'",
                user)).isEqualTo(1);
        assertThat(LogCapture.lines()).noneMatch(l -> l.contains(PROVIDER_TOKEN));
    }
}
