package io.kiepipeline.delivery.sending;

import java.util.List;

/**
 * One Telegram message a delivery sends: a text, a media item by URL with its caption, or an album of photos (its
 * URLs one per line in {@code mediaUrl}, the caption on the first).
 *
 * @param fallbackText for media: the text sent instead when Telegram cannot take the media (the result's links)
 * @param html         the text is Bot API HTML (whatever the user wrote in it is escaped)
 * @param upload       Telegram could not fetch the URL: the worker downloads the file and uploads it
 */
record OutgoingMessage(TelegramMethod method, String mediaUrl, String text, String fallbackText, boolean html,
                       boolean upload) {
    /** Telegram's own limits: a message's text and a media caption. */
    static final int MAX_TEXT = 4096;
    static final int MAX_CAPTION = 1024;
    /** An album holds 2 to 10 items. */
    static final int MAX_ALBUM = 10;

    OutgoingMessage {
        if (method.isMedia() && (mediaUrl == null || mediaUrl.isBlank())) {
            throw new IllegalArgumentException(method + " needs a media URL");
        }
        if (!html) {
            // an HTML text is built to fit: cutting it could cut a tag in half
            text = cap(text, method.isMedia() ? MAX_CAPTION : MAX_TEXT);
        }
        fallbackText = cap(fallbackText, MAX_TEXT);
    }

    OutgoingMessage(TelegramMethod method, String mediaUrl, String text, String fallbackText) {
        this(method, mediaUrl, text, fallbackText, false, false);
    }

    static OutgoingMessage text(String text) {
        return new OutgoingMessage(TelegramMethod.SEND_MESSAGE, null, text, null);
    }

    static OutgoingMessage album(List<String> urls, String caption, String fallbackText, boolean html) {
        return new OutgoingMessage(TelegramMethod.SEND_MEDIA_GROUP, String.join("\n", urls), caption, fallbackText,
                html, false);
    }

    /**
     * The same message ending with one more line: {@code htmlLine} when the text is HTML, {@code plainLine}
     * otherwise and in the fallback (as {@link DeliveryStore#showCharge} does to a recorded message).
     */
    OutgoingMessage withLine(String htmlLine, String plainLine) {
        return new OutgoingMessage(method, mediaUrl, text == null ? null : text + (html ? htmlLine : plainLine),
                fallbackText == null ? null : fallbackText + plainLine, html, upload);
    }

    /** The album's URLs, or the one media URL. */
    List<String> mediaUrls() {
        return mediaUrl == null ? List.of() : List.of(mediaUrl.split("\n"));
    }

    /** What the message becomes when Telegram refuses its media: its fallback, as a text. */
    OutgoingMessage asFallbackText() {
        return text(fallbackText);
    }

    /** The same message, to be downloaded and uploaded instead of sent by URL. */
    OutgoingMessage asUpload() {
        return new OutgoingMessage(method, mediaUrl, text, fallbackText, html, true);
    }

    private static String cap(String s, int max) {
        if (s == null || s.length() <= max) {
            return s;
        }
        return s.substring(0, max - 1) + "…";
    }

    /** The Bot API methods a delivery uses. */
    enum TelegramMethod {
        SEND_MESSAGE("sendMessage"), SEND_PHOTO("sendPhoto"), SEND_VIDEO("sendVideo"), SEND_AUDIO("sendAudio"),
        SEND_ANIMATION("sendAnimation"), SEND_DOCUMENT("sendDocument"), SEND_MEDIA_GROUP("sendMediaGroup");

        final String apiName;

        TelegramMethod(String apiName) {
            this.apiName = apiName;
        }

        boolean isMedia() {
            return this != SEND_MESSAGE;
        }
    }
}
