package io.kiepipeline.bot.conversation;

import java.util.Locale;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * Reads a Telegram update (its JSON, as the Bot API sends it) into what the conversation handles. Only people in
 * private chats are talked to: a bot's message, a group's, an edit or an update of a kind the bot does not use gives
 * nothing. Text is bounded like Telegram bounds it (4096 characters), so a forged update cannot carry more.
 */
public final class Updates {
    /** Telegram's own limit on a message's text. */
    static final int MAX_TEXT = 4096;
    private static final java.util.List<String> MEDIA = java.util.List.of("sticker", "voice", "video", "video_note",
            "document", "audio", "animation", "location", "contact", "poll", "dice", "venue");

    private Updates() {
    }

    /** A photo before it is re-hosted: the conversation gets {@link Incoming.Photo} with the re-hosted URL. */
    public record PhotoUpload(long chatId, long userId, String languageCode, String fileId, String caption) {
        public Incoming.Photo rehostedAt(String url) {
            return new Incoming.Photo(chatId, userId, languageCode, url, caption);
        }
    }

    /** What an update is for the bot: something the conversation handles, a photo to re-host first, or nothing. */
    public sealed interface Read {
        record Handle(Incoming incoming) implements Read {
        }

        record Rehost(PhotoUpload photo) implements Read {
        }

        /** Not for the conversation (a group, a bot, an edit, an unknown kind), with why, for the log. */
        record Ignore(String why) implements Read {
        }
    }

    public static Read read(JsonNode update) {
        if (update == null || !update.isObject()) {
            return new Read.Ignore("not an object");
        }
        if (update.has("callback_query")) {
            return tap(update.get("callback_query"));
        }
        if (update.has("pre_checkout_query")) {
            return preCheckout(update.get("pre_checkout_query"));
        }
        JsonNode message = update.get("message");
        if (message == null || !message.isObject()) {
            return new Read.Ignore("no message");
        }
        JsonNode from = message.path("from");
        JsonNode chat = message.path("chat");
        if (!from.isObject() || from.path("is_bot").asBoolean(false) || from.path("id").asLong(0) <= 0) {
            return new Read.Ignore("not from a person");
        }
        if (!"private".equals(chat.path("type").asString("")) || chat.path("id").asLong(0) <= 0) {
            return new Read.Ignore("not a private chat");
        }
        long chatId = chat.get("id").asLong();
        long userId = from.get("id").asLong();
        String language = from.path("language_code").asString(null);
        if (update.path("oversized").asBoolean(false)) {
            // larger than Telegram sends: the gateway kept only who sent it, so that it still gets an answer
            return new Read.Handle(new Incoming.Other(chatId, userId, language, "oversized"));
        }
        if (message.path("successful_payment").isObject()) {
            JsonNode p = message.get("successful_payment");
            String charge = p.path("telegram_payment_charge_id").asString("");
            if (charge.isBlank() || charge.length() > 256 || !p.path("total_amount").isIntegralNumber()) {
                return new Read.Ignore("a payment receipt without a charge id or an amount");
            }
            return new Read.Handle(new Incoming.Paid(chatId, userId, language, p.path("currency").asString(""),
                    p.get("total_amount").asLong(), cut(p.path("invoice_payload").asString(""), 256), charge,
                    cut(p.path("provider_payment_charge_id").asString(""), 256)));
        }
        if (message.path("refunded_payment").isObject()) {
            JsonNode r = message.get("refunded_payment");
            String charge = r.path("telegram_payment_charge_id").asString("");
            if (charge.isBlank() || charge.length() > 256) {
                return new Read.Ignore("a refund without a charge id");
            }
            return new Read.Handle(new Incoming.Refunded(chatId, userId, language, r.path("currency").asString(""),
                    r.path("total_amount").asLong(0), charge));
        }
        if (message.path("text").isString()) {
            String text = cut(message.get("text").asString());
            return new Read.Handle(text.startsWith("/") ? command(chatId, userId, language, text)
                    : new Incoming.Text(chatId, userId, language, text));
        }
        if (message.path("photo").isArray() && !message.get("photo").isEmpty()) {
            // Telegram lists the sizes smallest first: the last is the largest
            JsonNode largest = message.get("photo").get(message.get("photo").size() - 1);
            String fileId = largest.path("file_id").asString("");
            if (fileId.isBlank() || fileId.length() > 256) {
                return new Read.Ignore("a photo without a usable file_id");
            }
            String caption = message.path("caption").isString() ? cut(message.get("caption").asString()) : null;
            return new Read.Rehost(new PhotoUpload(chatId, userId, language, fileId, caption));
        }
        for (String kind : MEDIA) {
            if (message.has(kind)) {
                return new Read.Handle(new Incoming.Other(chatId, userId, language, kind));
            }
        }
        return new Read.Ignore("a message the bot does not use");
    }

    private static Read tap(JsonNode query) {
        JsonNode from = query.path("from");
        JsonNode message = query.path("message");
        String id = query.path("id").asString("");
        if (id.isBlank() || from.path("is_bot").asBoolean(false) || from.path("id").asLong(0) <= 0) {
            return new Read.Ignore("a callback query without an id or a person");
        }
        long chatId = message.path("chat").path("id").asLong(0);
        if (chatId <= 0 || !"private".equals(message.path("chat").path("type").asString("private"))) {
            return new Read.Ignore("a callback query outside a private chat");
        }
        String data = query.path("data").isString() ? query.get("data").asString() : "";
        // Telegram limits callback data to 64 bytes; a longer one is forged, and matches no button
        if (data.length() > 64) {
            data = "";
        }
        return new Read.Handle(new Incoming.Tap(chatId, from.get("id").asLong(), from.path("language_code")
                .asString(null), id, message.path("message_id").asInt(0), data));
    }

    private static Read preCheckout(JsonNode query) {
        JsonNode from = query.path("from");
        String id = query.path("id").asString("");
        long userId = from.path("id").asLong(0);
        if (id.isBlank() || id.length() > 256 || userId <= 0 || from.path("is_bot").asBoolean(false)
                || !query.path("total_amount").isIntegralNumber()) {
            return new Read.Ignore("a pre-checkout query without an id, a person or an amount");
        }
        return new Read.Handle(new Incoming.PreCheckout(userId, userId, from.path("language_code").asString(null), id,
                query.path("currency").asString(""), query.get("total_amount").asLong(),
                cut(query.path("invoice_payload").asString(""), 256)));
    }

    private static String cut(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max);
    }

    private static Incoming.Command command(long chatId, long userId, String language, String text) {
        String[] parts = text.substring(1).split("\\s+", 2);
        String name = parts[0];
        int at = name.indexOf('@');
        if (at >= 0) {
            name = name.substring(0, at); // /start@some_bot
        }
        return new Incoming.Command(chatId, userId, language, name.toLowerCase(Locale.ROOT),
                parts.length > 1 ? parts[1].strip() : "");
    }

    private static String cut(String text) {
        return text.length() <= MAX_TEXT ? text : text.substring(0, MAX_TEXT);
    }

    /** The update's id, for the inbox; empty when it has none. */
    public static Optional<Long> id(JsonNode update) {
        return update != null && update.path("update_id").isIntegralNumber()
                ? Optional.of(update.get("update_id").asLong()) : Optional.empty();
    }
}
