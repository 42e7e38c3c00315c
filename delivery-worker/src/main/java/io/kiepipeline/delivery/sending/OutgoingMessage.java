package io.kiepipeline.delivery.sending;

/**
 * One Telegram message a delivery sends: a media item by URL with its caption, or a text.
 *
 * @param fallbackText for media: the text sent instead when Telegram cannot take the media (the result's links)
 */
record OutgoingMessage(TelegramMethod method, String mediaUrl, String text, String fallbackText) {
    /** Telegram's own limits: a message's text and a media caption. */
    static final int MAX_TEXT = 4096;
    static final int MAX_CAPTION = 1024;

    OutgoingMessage {
        if (method.isMedia() && (mediaUrl == null || mediaUrl.isBlank())) {
            throw new IllegalArgumentException(method + " needs a media URL");
        }
        text = cap(text, method.isMedia() ? MAX_CAPTION : MAX_TEXT);
        fallbackText = cap(fallbackText, MAX_TEXT);
    }

    static OutgoingMessage text(String text) {
        return new OutgoingMessage(TelegramMethod.SEND_MESSAGE, null, text, null);
    }

    /** What the message becomes when Telegram refuses its media: its fallback, as a text. */
    OutgoingMessage asFallbackText() {
        return text(fallbackText);
    }

    private static String cap(String s, int max) {
        if (s == null || s.length() <= max) {
            return s;
        }
        return s.substring(0, max - 1) + "…";
    }

    /** The Bot API methods a delivery uses. */
    enum TelegramMethod {
        SEND_MESSAGE("sendMessage"), SEND_PHOTO("sendPhoto"), SEND_VIDEO("sendVideo"), SEND_AUDIO("sendAudio");

        final String apiName;

        TelegramMethod(String apiName) {
            this.apiName = apiName;
        }

        boolean isMedia() {
            return this != SEND_MESSAGE;
        }
    }
}
