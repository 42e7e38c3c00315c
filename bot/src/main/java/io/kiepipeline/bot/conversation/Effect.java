package io.kiepipeline.bot.conversation;

import java.util.List;
import java.util.Map;

/** What handling an update does besides changing the chat's state: messages to send, a job to start. */
public sealed interface Effect {
    /** A new message (HTML), with inline buttons (none: an empty keyboard). */
    record Send(String html, Keyboard keyboard) implements Effect {
    }

    /** The message the tapped buttons belong to, rewritten in place. */
    record Edit(int messageId, String html, Keyboard keyboard) implements Effect {
    }

    /** The answer to a button tap (every tap gets exactly one): a short notice, or null for none. */
    record AnswerTap(String queryId, String text) implements Effect {
    }

    /**
     * Start a job at the confirmed quote. {@code idempotencyKey} is derived from the chat and the quote, so that a
     * double tap, or the same update handled twice, makes one job. {@code progressMessage}: the bot's message that
     * says the job started, which the delivery-worker edits in place as the job moves on (0: none).
     */
    record Generate(long userId, long chatId, String modelId, Map<String, Object> input, String quoteId,
                    String idempotencyKey, int progressMessage) implements Effect {
    }

    /**
     * Send an invoice for a top-up: {@code currency} XTR with {@code totalAmount} Stars, or a card payment of
     * {@code totalAmount} minor units; once paid, the balance gets {@code creditMinor}. The service records the
     * payment and names it in the invoice's payload.
     */
    record Invoice(long userId, long chatId, String currency, long totalAmount, long creditMinor,
                   String creditCurrency, String title, String description, String label) implements Effect {
    }

    /** Inline buttons, row by row. */
    record Keyboard(List<List<Button>> rows) {
        public static final Keyboard NONE = new Keyboard(List.of());

        public Keyboard {
            rows = rows.stream().filter(r -> !r.isEmpty()).map(List::copyOf).toList();
        }
    }

    /** A button: its label and its callback data (at most 64 bytes, which Telegram enforces). */
    record Button(String text, String data) {
        public Button {
            if (data.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 64) {
                throw new IllegalArgumentException("callback data over 64 bytes: " + data);
            }
        }
    }
}
