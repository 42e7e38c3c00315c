package io.kiepipeline.bot.service;

import io.kiepipeline.schemas.ChatCommand;
import io.kiepipeline.schemas.ChatId;
import io.kiepipeline.schemas.Ids;
import io.kiepipeline.schemas.LedgerEvent;
import io.kiepipeline.schemas.Money;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.springframework.stereotype.Component;

/**
 * The ledger's answers to what the bot asked of it, told to whom they concern: a payment's deposit (the user), a
 * refund's debit ({@link Payments}), an admin's credit or debit (the admin, named in its reference:
 * {@code admin-credit:<admin>:<update>:<reason>}, {@code admin-debit:<admin>:<update>:<reason>}). Each message's id is
 * derived from the reference and the answer, so an answer announced again (a repeated command) tells nobody twice.
 */
@Component
class AdminReports {
    static final String CREDIT = "admin-credit:";
    static final String DEBIT = "admin-debit:";

    private final Payments payments;

    AdminReports(Payments payments) {
        this.payments = payments;
    }

    /** In the ledger event's transaction: what to send (nothing for what the bot did not ask for). */
    List<ChatCommand> answer(LedgerEvent event, Instant now) {
        return switch (event) {
            case LedgerEvent.FundsDeposited f -> deposited(f.reference(), f, null, now);
            case LedgerEvent.DepositRefused r -> deposited(r.reference(), null, r, now);
            case LedgerEvent.FundsDebited f -> debited(f.reference(), f, null, now);
            case LedgerEvent.DebitRefused r -> debited(r.reference(), null, r, now);
            // holds and captures are the orchestrator's business
            case LedgerEvent.HoldPlaced h -> List.of();
            case LedgerEvent.HoldRejected h -> List.of();
            case LedgerEvent.HoldCaptured h -> List.of();
            case LedgerEvent.HoldReleased h -> List.of();
            case LedgerEvent.HoldCommandRefused h -> List.of();
        };
    }

    private List<ChatCommand> deposited(String reference, LedgerEvent.FundsDeposited done,
                                        LedgerEvent.DepositRefused refused, Instant now) {
        UUID commandId = told(reference, done != null);
        if (reference.startsWith(Payments.REFERENCE_PREFIX)) {
            return java.util.Optional.ofNullable((ChatCommand) payments.deposited(reference, done, refused, commandId,
                    now)).stream().toList();
        }
        Long admin = adminOf(reference, CREDIT);
        if (admin == null) {
            return List.of();
        }
        String text = done != null
                ? "✅ Credited <b>" + Money.of(done.amountMinor(), done.currency()).display() + "</b> to user "
                + done.userId().value() + ". Available now: " + Money.of(done.availableMinor(), done.currency())
                .display() + "."
                : "⚠️ The credit of " + Money.of(refused.amountMinor(), refused.currency()).display() + " to user "
                + refused.userId().value() + " was refused: " + refused.reason() + ". Nothing was credited.";
        return List.of(new ChatCommand.SendChatMessage(commandId, new ChatId(admin), text, List.of(), now));
    }

    private List<ChatCommand> debited(String reference, LedgerEvent.FundsDebited done, LedgerEvent.DebitRefused refused,
                                      Instant now) {
        UUID commandId = told(reference, done != null);
        if (reference.startsWith(Payments.REFUND_PREFIX)) {
            return payments.refundAnswered(reference, done, refused, commandId, now);
        }
        Long admin = adminOf(reference, DEBIT);
        if (admin == null) {
            return List.of();
        }
        String text = done != null
                ? "✅ Debited <b>" + Money.of(done.amountMinor(), done.currency()).display() + "</b> from user "
                + done.userId().value() + ". Available now: " + Money.of(done.availableMinor(), done.currency())
                .display() + "."
                : "⚠️ The debit of " + Money.of(refused.amountMinor(), refused.currency()).display() + " from user "
                + refused.userId().value() + " was refused: " + refused.reason() + " (available "
                + Money.of(refused.availableMinor(), refused.currency()).display() + "). Nothing was taken.";
        return List.of(new ChatCommand.SendChatMessage(commandId, new ChatId(admin), text, List.of(), now));
    }

    private static Long adminOf(String reference, String prefix) {
        if (!reference.startsWith(prefix)) {
            return null;
        }
        try {
            return Long.parseLong(reference.substring(prefix.length()).split(":", 2)[0]);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static UUID told(String reference, boolean done) {
        return Ids.nameUuid("ledger-told:" + (done ? "done:" : "refused:") + reference);
    }
}
