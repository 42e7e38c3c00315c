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
 *       {@code DepositRequested} whose reference is that charge id goes to the ledger, which credits a reference
 *       once. A second receipt of the same charge finds the payment PAID and does nothing;</li>
 *   <li>the ledger's {@code FundsDeposited} for that reference: the user is told the amount and the new balance.</li>
 * </ol>
 */
@Component
public class Payments {
    /** How long an invoice can be paid. */
    static final Duration INVOICE_VALIDITY = Duration.ofHours(24);
    static final String PAYLOAD_PREFIX = "topup:";
    static final String REFERENCE_PREFIX = "telegram-payment:";
    /** {@code star-refund:<charge id>:<admin>}: the debit that takes a refunded payment's credit back. */
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
        if (marked == 1) {
            Map<String, Object> row = jdbc.queryForMap("select credit_minor, credit_currency from payment"
                    + " where payment_id = ?", paymentId);
            String reference = REFERENCE_PREFIX + p.telegramChargeId();
            outbox.append(new DepositRequested(Ids.depositIdForReference(reference), new UserId(p.userId()),
                    ((Number) row.get("credit_minor")).longValue(), (String) row.get("credit_currency"), reference),
                    correlation, causation);
            log.atInfo().addKeyValue("userId", p.userId()).addKeyValue("paymentId", paymentId)
                    .addKeyValue("chargeId", p.telegramChargeId()).log("payment.paid; deposit requested");
            ChatCommand.SendChatMessage inviterTold = bonuses.paidBy(p.userId(), correlation, causation, now);
            if (inviterTold != null) {
                outbox.append(inviterTold, correlation, causation);
            }
            return null;
        }
        Integer same = jdbc.queryForObject("select count(*) from payment where telegram_charge_id = ?",
                Integer.class, p.telegramChargeId());
        if (same != null && same > 0) {
            log.atInfo().addKeyValue("chargeId", p.telegramChargeId()).log("payment.receipt-again; already paid");
            return null;
        }
        // Telegram took money for an invoice this bot cannot match: never credited blindly, never silent
        log.atError().addKeyValue("userId", p.userId()).addKeyValue("chargeId", p.telegramChargeId())
                .addKeyValue("currency", p.currency()).addKeyValue("amount", p.totalAmount())
                .log("payment.unmatched; credit it by hand (POST /api/v1/admin/deposits) or refund it");
        return new ChatCommand.SendChatMessage(commandId, new ChatId(p.chatId()), Texts.get(language,
                "topup.refused"), List.of(), now);
    }

    /** In the ledger event's transaction: the deposit of a payment done (or refused): the user is told. */
    ChatCommand.SendChatMessage deposited(LedgerEvent event, UUID commandId, Instant now) {
        String reference = switch (event) {
            case LedgerEvent.FundsDeposited f -> f.reference();
            case LedgerEvent.DepositRefused r -> r.reference();
            default -> null;
        };
        if (reference == null || !reference.startsWith(REFERENCE_PREFIX)) {
            return null;
        }
        String charge = reference.substring(REFERENCE_PREFIX.length());
        List<Map<String, Object>> found = jdbc.queryForList("select chat_id, language from payment"
                + " where telegram_charge_id = ?", charge);
        if (found.isEmpty()) {
            return null;
        }
        long chat = ((Number) found.getFirst().get("chat_id")).longValue();
        Language language = Language.valueOf((String) found.getFirst().get("language"));
        if (event instanceof LedgerEvent.FundsDeposited f) {
            jdbc.update("update payment set status = 'CREDITED' where telegram_charge_id = ?", charge);
            return new ChatCommand.SendChatMessage(commandId, new ChatId(chat), Texts.get(language,
                    "topup.credited", Money.of(f.amountMinor(), f.currency()).display(),
                    Money.of(f.availableMinor(), f.currency()).display()), List.of(), now);
        }
        jdbc.update("update payment set status = 'NOT_CREDITED' where telegram_charge_id = ?", charge);
        log.atError().addKeyValue("chargeId", charge).log("payment.deposit-refused; credit it by hand or refund it");
        return new ChatCommand.SendChatMessage(commandId, new ChatId(chat), Texts.get(language, "topup.refused"),
                List.of(), now);
    }

    /**
     * In the admin's update transaction: a Stars payment to give back. Its credit is taken off the user's balance
     * first (a debit the ledger refuses when the available balance no longer covers it); only then are the Stars
     * refunded, so a user never keeps both. Returns what the admin is told now.
     */
    String startRefund(String charge, long admin, String correlation, String causation) {
        List<Map<String, Object>> found = jdbc.queryForList("""
                select user_id, credit_minor, credit_currency, total_amount, status from payment
                where telegram_charge_id = ? and currency = 'XTR' for update""", charge);
        if (found.isEmpty()) {
            return "⚠️ No Stars payment has that charge id.";
        }
        Map<String, Object> p = found.getFirst();
        String status = (String) p.get("status");
        if (!status.equals("PAID") && !status.equals("CREDITED")) {
            return "⚠️ That payment is " + status + ": nothing to refund.";
        }
        long user = ((Number) p.get("user_id")).longValue();
        long credit = ((Number) p.get("credit_minor")).longValue();
        String currency = (String) p.get("credit_currency");
        jdbc.update("update payment set status = 'REFUNDING' where telegram_charge_id = ?", charge);
        String reference = REFUND_PREFIX + charge + ":" + admin;
        outbox.append(new io.kiepipeline.schemas.LedgerCommand.DebitRequested(Ids.debitIdForReference(reference),
                new UserId(user), credit, currency, reference), correlation, causation);
        log.atInfo().addKeyValue("userId", user).addKeyValue("chargeId", charge).log("payment.refund-started");
        return "↩️ Refunding " + p.get("total_amount") + " Stars to user " + user + ": first "
                + Money.of(credit, currency).display() + " is taken off their balance; you will be told.";
    }

    /** In the ledger event's transaction: the refund's debit done (the Stars go back) or refused (nothing changes). */
    List<ChatCommand> refundAnswered(LedgerEvent event, String reference, UUID commandId, Instant now) {
        String rest = reference.substring(REFUND_PREFIX.length());
        int colon = rest.lastIndexOf(':');
        if (colon < 0) {
            return List.of();
        }
        String charge = rest.substring(0, colon);
        long admin;
        try {
            admin = Long.parseLong(rest.substring(colon + 1));
        } catch (NumberFormatException e) {
            return List.of();
        }
        List<Map<String, Object>> found = jdbc.queryForList("select user_id, chat_id, total_amount, language"
                + " from payment where telegram_charge_id = ? and status = 'REFUNDING' for update", charge);
        if (found.isEmpty()) {
            return List.of(); // answered already
        }
        Map<String, Object> p = found.getFirst();
        long user = ((Number) p.get("user_id")).longValue();
        long chat = ((Number) p.get("chat_id")).longValue();
        long stars = ((Number) p.get("total_amount")).longValue();
        if (event instanceof LedgerEvent.FundsDebited f) {
            jdbc.update("update payment set status = 'REFUNDED' where telegram_charge_id = ?", charge);
            log.atInfo().addKeyValue("userId", user).addKeyValue("chargeId", charge).log("payment.refunded");
            Language language = Language.valueOf((String) p.get("language"));
            return List.of(
                    new ChatCommand.RefundStarPayment(commandId, new ChatId(chat), user, charge, now),
                    new ChatCommand.SendChatMessage(AdminReports.second(commandId), new ChatId(chat),
                            Texts.get(language, "topup.refunded", Long.toString(stars),
                                    Money.of(f.amountMinor(), f.currency()).display()), List.of(), now),
                    new ChatCommand.SendChatMessage(AdminReports.second(AdminReports.second(commandId)),
                            new ChatId(admin), "✅ Refunded " + stars + " Stars to user " + user + "; "
                            + Money.of(f.amountMinor(), f.currency()).display() + " taken off their balance.",
                            List.of(), now));
        }
        LedgerEvent.DebitRefused r = (LedgerEvent.DebitRefused) event;
        jdbc.update("update payment set status = 'CREDITED' where telegram_charge_id = ?", charge);
        return List.of(new ChatCommand.SendChatMessage(commandId, new ChatId(admin), "⚠️ Cannot refund user "
                + user + ": " + r.reason() + " (available " + Money.of(r.availableMinor(), r.currency()).display()
                + ", the payment credited " + Money.of(r.amountMinor(), r.currency()).display()
                + "). Nothing was taken and no Stars were given back.", List.of(), now));
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
