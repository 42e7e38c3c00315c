package io.kiepipeline.allinone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kiepipeline.emulators.TelegramEmulator;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Top-ups with Telegram Stars, from the chat: /topup → a package → the invoice → Telegram's pre-checkout query,
 * answered within its 10 seconds → the receipt → one ledger credit, keyed by Telegram's charge id.
 */
class TelegramPaymentsPipelineTest extends PipelineTest {
    @Test
    void aStarsTopUpIsCreditedOnceEvenWhenTheReceiptComesTwice() {
        long user = aNewUser();
        telegram.userSays(user, user, "/topup");
        tap(user, awaitButton(user, "ts:100"));
        TelegramEmulator.Invoice invoice = awaitInvoice(user);
        assertThat(invoice.currency()).isEqualTo("XTR");
        assertThat(invoice.totalAmount()).isEqualTo(100);
        assertThat(invoice.withProvider()).isFalse();

        String query = telegram.userPays(user, invoice.messageId());

        TelegramEmulator.Payment paid = awaitPayment(query, "PAID");
        assertThat(awaitBotText(user, "Payment received")).contains("+200.00 RUB").contains("Balance: <b>200.00 RUB");
        await().atMost(PATIENCE).until(() -> available(user) == 20_000);

        // the same receipt once more, as a new update (Telegram's own re-delivery has the same update id, which the
        // inbox catches; this one only the charge id can)
        telegram.rawUpdate(Map.of("message", Map.of("message_id", 999, "date", 1,
                "chat", Map.of("id", user, "type", "private"),
                "from", Map.of("id", user, "is_bot", false, "first_name", "U"),
                "successful_payment", Map.of("currency", "XTR", "total_amount", 100,
                        "invoice_payload", invoice.payload(), "telegram_payment_charge_id", paid.chargeId(),
                        "provider_payment_charge_id", ""))));
        telegram.userSays(user, user, "/balance");
        awaitBotText(user, "💰 Balance");
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4)).until(() -> available(user) == 20_000);
        assertThat(db.count("select count(*) from ledger.deposit where user_id = ?", user)).isEqualTo(1);
    }

    @Test
    void aPreCheckoutForAnInvoiceAlreadyPaidOrForAnotherAmountIsRefusedAndNothingIsCredited() {
        long user = aNewUser();
        telegram.userSays(user, user, "/topup");
        tap(user, awaitButton(user, "ts:50"));
        TelegramEmulator.Invoice invoice = awaitInvoice(user);
        db.update("update bot.payment set total_amount = 49 where user_id = ?", user);

        String query = telegram.userPays(user, invoice.messageId());

        TelegramEmulator.Payment declined = awaitPayment(query, "DECLINED");
        assertThat(declined.errorMessage()).contains("no longer valid");
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4)).until(() -> available(user) == 0);
    }

    @Test
    void aForgedPreCheckoutPayloadIsRefused() {
        long user = aNewUser();
        telegram.userSays(user, user, "/topup");
        tap(user, awaitButton(user, "ts:50"));
        TelegramEmulator.Invoice invoice = awaitInvoice(user);
        db.update("update bot.payment set status = 'PAID' where user_id = ?", user);

        String query = telegram.userPays(user, invoice.messageId());

        assertThat(awaitPayment(query, "DECLINED").errorMessage()).contains("/topup");
        assertThat(available(user)).isZero();
    }

    @Test
    void anotherNumberOfStarsIsAskedAndInvoiced() {
        long user = aNewUser();
        telegram.userSays(user, user, "/topup", "ru");
        tap(user, awaitButton(user, "ts:other"));
        awaitBotText(user, "Сколько звёзд");
        telegram.userSays(user, user, "0");
        telegram.userSays(user, user, "37");

        TelegramEmulator.Invoice invoice = awaitInvoice(user);
        assertThat(invoice.totalAmount()).isEqualTo(37);
        assertThat(invoice.description()).contains("74.00 RUB");
        String query = telegram.userPays(user, invoice.messageId());
        awaitPayment(query, "PAID");
        assertThat(awaitBotText(user, "Оплата получена")).contains("+74.00 RUB");
    }

    private TelegramEmulator.Invoice awaitInvoice(long user) {
        await().atMost(PATIENCE).until(() -> !telegram.invoicesTo(user).isEmpty());
        return telegram.invoicesTo(user).getLast();
    }

    private TelegramEmulator.Payment awaitPayment(String query, String status) {
        await().atMost(PATIENCE).until(() -> telegram.payments().stream()
                .anyMatch(p -> p.preCheckoutQueryId().equals(query) && p.status().equals(status)));
        return telegram.payments().stream().filter(p -> p.preCheckoutQueryId().equals(query)).findFirst()
                .orElseThrow();
    }
}
