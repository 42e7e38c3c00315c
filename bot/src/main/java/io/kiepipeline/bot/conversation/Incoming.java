package io.kiepipeline.bot.conversation;

/**
 * An update as the conversation sees it, from a person in a private chat. Photos arrive already re-hosted: {@code url}
 * is the https address KIE fetches them from (the bot token never leaves the system).
 */
public sealed interface Incoming {
    long chatId();

    long userId();

    /** The user's Telegram language, when the update carries it. */
    String languageCode();

    /** {@code /name args}: the command without its slash or bot name, lower-cased. */
    record Command(long chatId, long userId, String languageCode, String name, String args) implements Incoming {
    }

    record Text(long chatId, long userId, String languageCode, String text) implements Incoming {
    }

    record Photo(long chatId, long userId, String languageCode, String url, String caption) implements Incoming {
    }

    /** A tap on an inline button: the callback query's id (answered exactly once), its message and data. */
    record Tap(long chatId, long userId, String languageCode, String queryId, int messageId, String data)
            implements Incoming {
    }

    /**
     * Telegram asks whether to take a payment (the user pressed "Pay"); it must be answered within 10 seconds. In a
     * private chat the chat is the user's own.
     */
    record PreCheckout(long chatId, long userId, String languageCode, String queryId, String currency,
                       long totalAmount, String payload) implements Incoming {
    }

    /** A payment went through: Telegram's receipt, keyed by its charge id. */
    record Paid(long chatId, long userId, String languageCode, String currency, long totalAmount, String payload,
                String telegramChargeId, String providerChargeId) implements Incoming {
    }

    /** Telegram's word that it gave a payment's Stars back ({@code refunded_payment}). */
    record Refunded(long chatId, long userId, String languageCode, String currency, long totalAmount,
                    String telegramChargeId) implements Incoming {
    }

    /** Anything else a person can send: a sticker, a voice note, a document, a location... */
    record Other(long chatId, long userId, String languageCode, String kind) implements Incoming {
    }
}
