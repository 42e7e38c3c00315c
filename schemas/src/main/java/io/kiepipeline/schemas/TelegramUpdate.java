package io.kiepipeline.schemas;

import java.time.Instant;

/**
 * Topic {@code gateway.telegram-updates}, key = the chat the update belongs to (the user's id for an update without a
 * chat, such as a pre-checkout query: in a private chat the two are equal), so that a chat's updates stay in order.
 * The gateway publishes each update it takes from Telegram (long polling or the webhook) as Telegram sent it, without
 * interpreting it; the bot service reads it (ADR 11).
 */
public sealed interface TelegramUpdate extends Message {
    /** Telegram's {@code update_id}: the bot handles each once, whatever gateway took it and however often. */
    long updateId();

    long chatKey();

    @Override
    default String key() {
        return Long.toString(chatKey());
    }

    /**
     * One update.
     *
     * @param update     the update's JSON, as the Bot API sent it, at most {@link Limits#TELEGRAM_UPDATE} characters
     * @param receivedAt when the gateway took it
     */
    record TelegramUpdateReceived(long updateId, long chatKey, String update, Instant receivedAt)
            implements TelegramUpdate {
    }
}
