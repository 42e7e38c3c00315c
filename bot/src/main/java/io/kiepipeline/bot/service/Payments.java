package io.kiepipeline.bot.service;

import io.kiepipeline.bot.conversation.Effect;
import io.kiepipeline.bot.conversation.Incoming;
import io.kiepipeline.bot.conversation.Texts;
import io.kiepipeline.platform.outbox.OutboxWriter;
import io.kiepipeline.schemas.ChatCommand;
import io.kiepipeline.schemas.ChatId;
import io.kiepipeline.schemas.Ids;
import io.kiepipeline.schemas.Language;
import io.kiepipeline.schemas.LedgerCommand.DepositRequested;
import io.kiepipeline.schemas.LedgerEvent;
import io.kiepipeline.schemas.Money;
import io.kiepipeline.schemas.UserId;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Top-ups through Telegram payments, in the transaction of the update (or ledger event) that moves them on:
 * <ol>
 *   <li>an invoice: a PENDING {@code payment} row whose id is the invoice's payload, and the {@code SendInvoice};</li>
 *   <li>the pre-checkout query: answered yes only for a PENDING payment of this user, currency and amount, invoiced
 *       within {@link #INVOICE_VALIDITY}; anything else is refused with a sentence the user sees;</li>
 *   <li>the receipt ({@code successful_payment}): the payment becomes PAID with Telegram's charge id (unique), and a
 *       {@code DepositRequested} referenced {@code telegram-payment:<payment id>} goes to the ledger, which credits a
 *       reference once. A second receipt of the same charge finds it and does nothing; the same invoice paid twice
 *       (two devices) is a second payment, credited on its own;</li>
 *   <li>the ledger's {@code FundsDeposited} for that reference: the payment is CREDITED, the user told the amount and
 *       the new balance;</li>
 *   <li>a refund (an admin's): CREDITED → REFUNDING (a debit of its credit, {@code star-refund:<payment id>}) →
 *       REFUND_REQUESTED once the ledger took it (then {@code refundStarPayment}) → REFUNDED on Telegram's
 *       {@code refunded_payment}; a refused debit puts it back to CREDITED.</li>
 * </ol>
 */
@Component
public class Payments {
    /** How long an invoice can be paid. */
    static final Duration INVOICE_VALIDITY = Duration.ofHours(24);
    static final String PAYLOAD_PREFIX = "topup:";
    /** {@code telegram-payment:<payment id>}: the deposit of a paid top-up. */
    static final String REFERENCE_PREFIX = "telegram-payment:";
    /** {@code star-refund:<payment id>}: the debit that takes a refunded payment's credit back. */
    static final String REFUND_PREFIX = "star-refund:";
    private static final Logger log = LoggerFactory.getLogger(Payments.class);

    private final JdbcTemplate jdbc;
    private final OutboxWriter outbox;
    private final Bonuses bonuses;

    Payments(JdbcTemplate jdbc, OutboxWriter outbox, Bonuses bonuses) {
        this.jdbc = jdbc;
        this.outbox = outbox;
        this.bonuses = bonuses;
    }

    /** In the update's transaction: the payment, and the invoice that names it. */
    ChatCommand.SendInvoice invoice(Effect.Invoice i, UUID paymentId, Language language, Instant now) {
        jdbc.update("""
                insert into payment (payment_id, user_id, chat_id, currency, total_amount, credit_minor,
                                     credit_currency, language, status, created_at)
                values (?, ?, ?, ?, ?, ?, ?, ?, 'PENDING', ?)
                on conflict (payment_id) do nothing""", paymentId, i.userId(), i.chatId(), i.currency(),
                i.totalAmount(), i.creditMinor(), i.creditCurrency(), language.name(), Timestamp.from(now));
        log.atInfo().addKeyValue("userId", i.userId()).addKeyValue("paymentId", paymentId)
                .addKeyValue("currency", i.currency()).addKeyValue("amount", i.totalAmount()).log("payment.invoiced");
        return new ChatCommand.SendInvoice(paymentId, new ChatId(i.chatId()), i.title(), i.description(),
                PAYLOAD_PREFIX + paymentId, i.currency(), i.totalAmount(), i.label(), now);
    }

    /** In the update's transaction: yes or no to Telegram, within its 10 seconds. */
    ChatCommand.AnswerPreCheckoutQuery preCheckout(Incoming.PreCheckout q, UUID commandId, Language language,
                                                   Instant now) {
        UUID paymentId = paymentIdOf(q.payload());
        List<Map<String, Object>> found = paymentId == null ? List.of() : jdbc.queryForList(
                "select user_id, currency, total_amount, status, created_at from payment where payment_id = ?",
                paymentId);
        String why = null;
        if (found.isEmpty()) {
            why = "no such invoice";
        } else {
            Map<String, Object> p = found.getFirst();
            if (((Number) p.get("user_id")).longValue() != q.userId()) {
                why = "another user's invoice";
            } else if (!"PENDING".equals(p.get("status"))) {
                why = "already " + p.get("status");
            } else if (!q.currency().equals(p.get("currency"))
                    || ((Number) p.get("total_amount")).longValue() != q.totalAmount()) {
                why = "another amount or currency";
            } else if (((Timestamp) p.get("created_at")).toInstant().plus(INVOICE_VALIDITY).isBefore(now)) {
                why = "invoiced more than " + INVOICE_VALIDITY.toHours() + " h ago";
            }
        }
        log.atInfo().addKeyValue("userId", q.userId()).addKeyValue("paymentId", paymentId)
                .addKeyValue("ok", why == null).addKeyValue("why", why).log("payment.pre-checkout");
        return new ChatCommand.AnswerPreCheckoutQuery(commandId, new ChatId(q.chatId()), q.queryId(), why == null,
                why == null ? null : Texts.get(language, "precheckout.invalid"), now);
    }

    /** In the update's transaction: the receipt. Returns what to tell the user now (null: nothing yet). */
    ChatCommand.SendChatMessage paid(Incoming.Paid p, UUID commandId, Language language, String correlation,
                                     String causation, Instant now) {
        UUID paymentId = paymentIdOf(p.payload());
        int marked = paymentId == null ? 0 : jdbc.update("""
                update payment set status = 'PAID', telegram_charge_id = ?, provider_charge_id = ?, paid_at = ?
                where payment_id = ? and status = 'PENDING' and user_id = ? and currency = ? and total_amount = ?""",
                p.telegramChargeId(), p.providerChargeId(), Timestamp.from(now), paymentId, p.userId(), p.currency(),
                p.totalAmount());
        Integer same = jdbc.queryForObject("select count(*) from payment where telegram_charge_id = ?",
                Integer.class, p.telegramChargeId());
        if (marked == 0 && same != null && same > 0) {
            log.atInfo().addKeyValue("chargeId", p.telegramChargeId()).log("payment.receipt-again; already paid");
            return null;
        }
        if (marked == 0 && paymentId != null && jdbc.update("""
                insert into payment (payment_id, user_id, chat_id, currency, total_amount, credit_minor,
                                     credit_currency, language, status, telegram_charge_id, provider_charge_id,
                                     created_at, paid_at)
                select ?, user_id, chat_id, currency, total_amount, credit_minor, credit_currency, language, 'PAID',
                       ?, ?, ?, ?
                from payment where payment_id = ? and user_id = ? and currency = ? and total_amount = ?
                  and status <> 'PENDING'
                on conflict do nothing""", Ids.nameUuid("payment-again:" + p.telegramChargeId()),
                p.telegramChargeId(), p.providerChargeId(), Timestamp.from(now), Timestamp.from(now), paymentId,
                p.userId(), p.currency(), p.totalAmount()) == 1) {
            // the same invoice paid a second time (two devices answered yes at once): the user paid twice, and gets
            // both credits; each is its own payment, refundable on its own
            paymentId = Ids.nameUuid("payment-again:" + p.telegramChargeId());
            marked = 1;
            log.atWarn().addKeyValue("userId", p.userId()).addKeyValue("chargeId", p.telegramChargeId())
                    .log("payment.paid-twice; credited as a payment of its own");
        }
        if (marked == 1) {
            Map<String, Object> row = jdbc.queryForMap("select credit_minor, credit_currency from payment"
                    + " where payment_id = ?", paymentId);
            long credit = ((Number) row.get("credit_minor")).longValue();
            String reference = REFERENCE_PREFIX + paymentId;
            outbox.append(new DepositRequested(Ids.depositIdForReference(reference), new UserId(p.userId()),
                    credit, (String) row.get("credit_currency"), reference), correlation, causation);
            log.atInfo().addKeyValue("userId", p.userId()).addKeyValue("paymentId", paymentId)
                    .addKeyValue("chargeId", p.telegramChargeId()).log("payment.paid; deposit requested");
            ChatCommand.SendChatMessage inviterTold = bonuses.paidBy(p.userId(), credit, correlation, causation, now);
            if (inviterTold != null) {
                outbox.append(inviterTold, correlation, causation);
            }
            return null;
        }
        // Telegram took money for an invoice this bot cannot match: never credited blindly, never silent
        log.atError().addKeyValue("userId", p.userId()).addKeyValue("chargeId", p.telegramChargeId())
                .addKeyValue("currency", p.currency()).addKeyValue("amount", p.totalAmount())
                .log("payment.unmatched; credit it by hand (/admin credit) or refund it");
        return new ChatCommand.SendChatMessage(commandId, new ChatId(p.chatId()), Texts.get(language,
                "topup.refused"), List.of(), now);
    }

    /**
     * In the ledger event's transaction: a payment's deposit done (or refused): the user is told. Only a PAID payment
     * moves on (a refund under way is never overwritten).
     */
    ChatCommand.SendChatMessage deposited(String reference, LedgerEvent.FundsDeposited done,
                                          LedgerEvent.DepositRefused refused, UUID commandId, Instant now) {
        UUID paymentId = paymentIdOfReference(reference, REFERENCE_PREFIX);
        List<Map<String, Object>> found = paymentId == null ? List.of() : jdbc.queryForList(
                "select chat_id, language from payment where payment_id = ?", paymentId);
        if (found.isEmpty()) {
            return null;
        }
        long chat = ((Number) found.getFirst().get("chat_id")).longValue();
        Language language = Language.valueOf((String) found.getFirst().get("language"));
        if (done != null) {
            jdbc.update("update payment set status = 'CREDITED' where payment_id = ? and status = 'PAID'",
                    paymentId);
            return new ChatCommand.SendChatMessage(commandId, new ChatId(chat), Texts.get(language,
                    "topup.credited", Money.of(done.amountMinor(), done.currency()).display(),
                    Money.of(done.availableMinor(), done.currency()).display()), List.of(), now);
        }
        jdbc.update("update payment set status = 'NOT_CREDITED' where payment_id = ? and status = 'PAID'",
                paymentId);
        log.atError().addKeyValue("paymentId", paymentId).addKeyValue("reason", refused.reason())
                .log("payment.deposit-refused; credit it by hand or refund it");
        return new ChatCommand.SendChatMessage(commandId, new ChatId(chat), Texts.get(language, "topup.refused"),
                List.of(), now);
    }

    /**
     * In the admin's update transaction: a Stars payment to give back. Only a CREDITED one: its credit is taken off
     * the user's balance first (a debit the ledger refuses when the available balance no longer covers it, keyed by
     * the payment, so a second admin's try is the same debit); only then are the Stars refunded, so a user never keeps
     * both. Returns what the admin is told now.
     */
    String startRefund(String charge, long admin, String correlation, String causation) {
        List<Map<String, Object>> found = jdbc.queryForList("""
                select payment_id, user_id, credit_minor, credit_currency, total_amount, status from payment
                where telegram_charge_id = ? and currency = 'XTR' for update""", charge);
        if (found.isEmpty()) {
            return "⚠️ No Stars payment has that charge id.";
        }
        Map<String, Object> p = found.getFirst();
        String status = (String) p.get("status");
        if (!status.equals("CREDITED")) {
            return "⚠️ That payment is " + status + ": " + (status.equals("PAID")
                    ? "its credit is not on the balance yet; try again in a minute." : "nothing to refund.");
        }
        UUID paymentId = (UUID) p.get("payment_id");
        long user = ((Number) p.get("user_id")).longValue();
        long credit = ((Number) p.get("credit_minor")).longValue();
        String currency = (String) p.get("credit_currency");
        jdbc.update("update payment set status = 'REFUNDING', refund_by = ? where payment_id = ?", admin, paymentId);
        String reference = REFUND_PREFIX + paymentId;
        outbox.append(new io.kiepipeline.schemas.LedgerCommand.DebitRequested(Ids.debitIdForReference(reference),
                new UserId(user), credit, currency, reference), correlation, causation);
        log.atInfo().addKeyValue("userId", user).addKeyValue("paymentId", paymentId).log("payment.refund-started");
        return "↩️ Refunding " + p.get("total_amount") + " Stars to user " + user + ": first "
                + Money.of(credit, currency).display() + " is taken off their balance; you will be told.";
    }

    /**
     * In the ledger event's transaction: the refund's debit done (the Stars are asked back from Telegram; the payment
     * waits for Telegram's own word) or refused (nothing changes). A repeated answer finds nothing REFUNDING.
     */
    List<ChatCommand> refundAnswered(String reference, LedgerEvent.FundsDebited done, LedgerEvent.DebitRefused refused,
                                     UUID commandId, Instant now) {
        UUID paymentId = paymentIdOfReference(reference, REFUND_PREFIX);
        List<Map<String, Object>> found = paymentId == null ? List.of() : jdbc.queryForList("""
                select user_id, chat_id, total_amount, telegram_charge_id, refund_by from payment
                where payment_id = ? and status = 'REFUNDING' for update""", paymentId);
        if (found.isEmpty()) {
            return List.of(); // answered already
        }
        Map<String, Object> p = found.getFirst();
        long user = ((Number) p.get("user_id")).longValue();
        long chat = ((Number) p.get("chat_id")).longValue();
        long admin = ((Number) p.get("refund_by")).longValue();
        if (done != null) {
            jdbc.update("update payment set status = 'REFUND_REQUESTED' where payment_id = ?", paymentId);
            log.atInfo().addKeyValue("userId", user).addKeyValue("paymentId", paymentId)
                    .log("payment.refund-requested; the credit is taken back, the Stars are asked back");
            return List.of(
                    new ChatCommand.RefundStarPayment(commandId, new ChatId(chat), user,
                            (String) p.get("telegram_charge_id"), now),
                    new ChatCommand.SendChatMessage(Ids.nameUuid(commandId + ":admin"), new ChatId(admin), "↩️ "
                            + Money.of(done.amountMinor(), done.currency()).display() + " taken off user " + user
                            + "'s balance; Telegram is asked to give back " + p.get("total_amount")
                            + " Stars. You will be told when it has.", List.of(), now));
        }
        jdbc.update("update payment set status = 'CREDITED', refund_by = null where payment_id = ?", paymentId);
        return List.of(new ChatCommand.SendChatMessage(commandId, new ChatId(admin), "⚠️ Cannot refund user "
                + user + ": " + refused.reason() + " (available "
                + Money.of(refused.availableMinor(), refused.currency()).display() + ", the payment credited "
                + Money.of(refused.amountMinor(), refused.currency()).display()
                + "). Nothing was taken and no Stars were given back.", List.of(), now));
    }

    /** In the update's transaction: Telegram's word that it gave the Stars back. */
    List<ChatCommand> refunded(Incoming.Refunded r, UUID commandId, Instant now) {
        List<Map<String, Object>> found = jdbc.queryForList("""
                select payment_id, user_id, chat_id, total_amount, credit_minor, credit_currency, language, refund_by
                from payment where telegram_charge_id = ? and status = 'REFUND_REQUESTED' for update""",
                r.telegramChargeId());
        if (found.isEmpty()) {
            log.atWarn().addKeyValue("chargeId", r.telegramChargeId()).log("payment.refunded-unknown");
            return List.of();
        }
        Map<String, Object> p = found.getFirst();
        jdbc.update("update payment set status = 'REFUNDED' where payment_id = ?", p.get("payment_id"));
        long user = ((Number) p.get("user_id")).longValue();
        String credit = Money.of(((Number) p.get("credit_minor")).longValue(), (String) p.get("credit_currency"))
                .display();
        log.atInfo().addKeyValue("userId", user).addKeyValue("paymentId", p.get("payment_id"))
                .log("payment.refunded");
        List<ChatCommand> told = new java.util.ArrayList<>();
        told.add(new ChatCommand.SendChatMessage(commandId, new ChatId(((Number) p.get("chat_id")).longValue()),
                Texts.get(Language.valueOf((String) p.get("language")), "topup.refunded",
                        String.valueOf(p.get("total_amount")), credit), List.of(), now));
        Object admin = p.get("refund_by");
        if (admin != null) {
            told.add(new ChatCommand.SendChatMessage(Ids.nameUuid(commandId + ":admin"), new ChatId(((Number) admin)
                    .longValue()), "✅ Refunded " + p.get("total_amount") + " Stars to user " + user + "; " + credit
                    + " taken off their balance.", List.of(), now));
        }
        return told;
    }

    private static UUID paymentIdOfReference(String reference, String prefix) {
        try {
            return reference != null && reference.startsWith(prefix)
                    ? UUID.fromString(reference.substring(prefix.length())) : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static UUID paymentIdOf(String payload) {
        if (payload == null || !payload.startsWith(PAYLOAD_PREFIX)) {
            return null;
        }
        try {
            return UUID.fromString(payload.substring(PAYLOAD_PREFIX.length()));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
