package io.kiepipeline.schemas;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Topic {@code bot.chat-commands}, key = chat id (so a chat's commands stay in order): what the bot asks the
 * delivery-worker to do in a chat. The delivery-worker makes every call to Telegram, under the limits it holds for
 * all its instances together (ADR 11). {@code commandId} is derived from the update that caused the command, so the
 * same update handled twice asks for the same command, which is done once.
 */
public sealed interface ChatCommand extends Message {
    UUID commandId();

    ChatId chatId();

    @Override
    default String key() {
        return Long.toString(chatId().value());
    }

    /** A new message: Bot API HTML, with inline buttons row by row (none: an empty list). */
    record SendChatMessage(UUID commandId, ChatId chatId, String html, List<List<InlineButton>> buttons, Instant at)
            implements ChatCommand {
        public SendChatMessage {
            buttons = copy(buttons);
        }
    }

    /** A message the bot sent earlier, rewritten in place (its text and buttons). */
    record EditChatMessage(UUID commandId, ChatId chatId, long messageId, String html,
                           List<List<InlineButton>> buttons, Instant at) implements ChatCommand {
        public EditChatMessage {
            buttons = copy(buttons);
        }
    }

    /** The answer to a button tap: Telegram shows {@code text} briefly (null: nothing, the spinner just stops). */
    record AnswerCallbackQuery(UUID commandId, ChatId chatId, String callbackQueryId, String text, Instant at)
            implements ChatCommand {
    }

    /**
     * An invoice: Telegram Stars ({@code currency} XTR, {@code totalAmount} in Stars) or a card payment in the
     * operator's currency ({@code totalAmount} in its minor units; the delivery-worker adds its provider token, which
     * never travels in a message). {@code payload} (1–128 bytes) names the bot's own record of the payment.
     */
    record SendInvoice(UUID commandId, ChatId chatId, String title, String description, String payload,
                       String currency, long totalAmount, String label, Instant at) implements ChatCommand {
    }

    /**
     * The answer to a pre-checkout query: Telegram waits 10 s for it, then fails the payment. {@code chatId} is the
     * paying user's private chat. {@code errorMessage}: why the payment is refused (required when {@code ok} is false).
     */
    record AnswerPreCheckoutQuery(UUID commandId, ChatId chatId, String preCheckoutQueryId, boolean ok,
                                  String errorMessage, Instant at) implements ChatCommand {
    }

    /**
     * Give a user back the Telegram Stars of a payment ({@code refundStarPayment}); the bot asks for it only after
     * the ledger took the credit back off the user's balance. {@code chatId} is the user's private chat.
     */
    record RefundStarPayment(UUID commandId, ChatId chatId, long userId, String telegramPaymentChargeId, Instant at)
            implements ChatCommand {
    }

    /** A button: its label and its callback data (1–64 bytes). */
    record InlineButton(String text, String data) {
    }

    private static List<List<InlineButton>> copy(List<List<InlineButton>> rows) {
        return rows == null ? List.of() : rows.stream().map(List::copyOf).toList();
    }
}
