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
 * The ledger's answers to debits the bot asked for, told to whom they concern: an admin's debit (the admin is named
 * in its reference, {@code admin-debit:<admin>:<update>:<reason>}) and a Stars refund's reversal (its reference
 * names the payment and the admin, handled by {@link Payments}).
 */
@Component
class AdminReports {
    static final String DEBIT = "admin-debit:";

    private final Payments payments;

    AdminReports(Payments payments) {
        this.payments = payments;
    }

    /** In the ledger event's transaction: what to send (nothing for a debit the bot did not ask for). */
    List<ChatCommand> debited(LedgerEvent event, UUID commandId, Instant now) {
        String reference = switch (event) {
            case LedgerEvent.FundsDebited f -> f.reference();
            case LedgerEvent.DebitRefused r -> r.reference();
            default -> "";
        };
        if (reference.startsWith(Payments.REFUND_PREFIX)) {
            return payments.refundAnswered(event, reference, commandId, now);
        }
        if (!reference.startsWith(DEBIT)) {
            return List.of();
        }
        long admin;
        try {
            admin = Long.parseLong(reference.substring(DEBIT.length()).split(":", 2)[0]);
        } catch (NumberFormatException e) {
            return List.of();
        }
        String text = switch (event) {
            case LedgerEvent.FundsDebited f -> "✅ Debited <b>" + Money.of(f.amountMinor(), f.currency()).display()
                    + "</b> from user " + f.userId().value() + ". Available now: "
                    + Money.of(f.availableMinor(), f.currency()).display() + ".";
            case LedgerEvent.DebitRefused r -> "⚠️ The debit of " + Money.of(r.amountMinor(), r.currency()).display()
                    + " from user " + r.userId().value() + " was refused: " + r.reason() + " (available "
                    + Money.of(r.availableMinor(), r.currency()).display() + "). Nothing was taken.";
            default -> throw new IllegalStateException("not a debit's answer: " + event);
        };
        return List.of(new ChatCommand.SendChatMessage(commandId, new ChatId(admin), text, List.of(), now));
    }

    static UUID second(UUID first) {
        return Ids.nameUuid(first + ":2");
    }
}
