package io.kiepipeline.delivery.sending;

import io.kiepipeline.delivery.sending.OutgoingMessage.TelegramMethod;
import io.kiepipeline.schemas.JobEvent;
import io.kiepipeline.schemas.JobEvent.JobFailed;
import io.kiepipeline.schemas.JobEvent.JobRejected;
import io.kiepipeline.schemas.JobEvent.JobSucceeded;
import java.util.List;

/** What the bot says. Every failure notice says why, and that nothing was charged. */
final class Notices {
    private Notices() {
    }

    /**
     * The messages of a result, in the order they are sent, each item by the method its format takes: photos (an
     * album for several, up to ten each), a GIF as an animation, MP4 as a video, MP3/M4A as audio, anything else as
     * a document. Each is captioned (HTML: the model, the start of the user's prompt escaped, the price charged) and
     * falls back to the text with the links. A text output, or one without URLs, is that text.
     */
    static List<OutgoingMessage> result(JobSucceeded e) {
        String links = resultAsLink(e);
        if (e.outputType() == io.kiepipeline.schemas.OutputType.TEXT || e.resultUrls().isEmpty()) {
            return List.of(OutgoingMessage.text(links));
        }
        String caption = resultCaption(e);
        List<OutgoingMessage> messages = new java.util.ArrayList<>();
        List<String> photos = new java.util.ArrayList<>();
        for (String url : e.resultUrls()) {
            TelegramMethod method = methodFor(e.outputType(), url);
            if (method == TelegramMethod.SEND_PHOTO) {
                photos.add(url);
            } else {
                messages.add(new OutgoingMessage(method, url, caption, links, true, false));
            }
        }
        List<OutgoingMessage> albums = new java.util.ArrayList<>();
        for (int i = 0; i < photos.size(); i += OutgoingMessage.MAX_ALBUM) {
            List<String> group = photos.subList(i, Math.min(i + OutgoingMessage.MAX_ALBUM, photos.size()));
            albums.add(group.size() == 1 ? new OutgoingMessage(TelegramMethod.SEND_PHOTO, group.getFirst(), caption,
                    links, true, false) : OutgoingMessage.album(group, caption, links, true));
        }
        albums.addAll(messages);
        return albums;
    }

    /** How Telegram shows a result file, from the output type and the file's extension. */
    static TelegramMethod methodFor(io.kiepipeline.schemas.OutputType type, String url) {
        String path;
        try {
            path = java.net.URI.create(url).getPath();
        } catch (IllegalArgumentException e) {
            path = url;
        }
        String name = path == null ? "" : path.substring(path.lastIndexOf('/') + 1).toLowerCase(java.util.Locale.ROOT);
        String ext = name.contains(".") ? name.substring(name.lastIndexOf('.') + 1) : "";
        return switch (type) {
            case IMAGE -> switch (ext) {
                case "gif" -> TelegramMethod.SEND_ANIMATION;
                case "", "png", "jpg", "jpeg", "webp" -> TelegramMethod.SEND_PHOTO;
                default -> TelegramMethod.SEND_DOCUMENT;
            };
            case VIDEO -> switch (ext) {
                case "", "mp4" -> TelegramMethod.SEND_VIDEO;
                case "gif" -> TelegramMethod.SEND_ANIMATION;
                default -> TelegramMethod.SEND_DOCUMENT;
            };
            case AUDIO -> switch (ext) {
                case "", "mp3", "m4a" -> TelegramMethod.SEND_AUDIO;
                default -> TelegramMethod.SEND_DOCUMENT;
            };
            case TEXT -> TelegramMethod.SEND_MESSAGE;
        };
    }

    /**
     * A result that came after the job had timed out: sent like any result, and said to be free (the user was told
     * nothing was charged, and nothing is).
     */
    static List<OutgoingMessage> lateResult(JobEvent.JobLateResult e) {
        String note = "✅ Late but done: " + e.model() + ". It arrived after the job had timed out, so it is free.";
        String withLinks = note + "\n" + String.join("\n", e.resultUrls()) + "\n(links stay valid for about 24 hours)";
        if (e.outputType() == io.kiepipeline.schemas.OutputType.TEXT || e.resultUrls().isEmpty()) {
            return List.of(OutgoingMessage.text(withLinks));
        }
        return e.resultUrls().stream()
                .map(url -> new OutgoingMessage(methodFor(e.outputType(), url), url, note, withLinks)).toList();
    }

    /** Bot API HTML: the model in bold, the user's prompt in italics (escaped), and what it cost. */
    static String resultCaption(JobSucceeded e) {
        StringBuilder caption = new StringBuilder("✅ Done: <b>").append(html(e.model())).append("</b>");
        if (e.prompt() != null) {
            caption.append("\n<i>").append(html(e.prompt()))
                    .append(e.prompt().length() >= JobSucceeded.PROMPT_EXCERPT ? "…" : "").append("</i>");
        }
        caption.append("\n").append(e.priceMinor() == 0 ? "Free"
                : "Charged: " + io.kiepipeline.schemas.Money.of(e.priceMinor(), e.currency()).display());
        return caption.toString();
    }

    /** The Bot API's HTML escaping: whatever a user wrote shows as written, never as markup. */
    static String html(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    static String resultAsLink(JobSucceeded e) {
        return "✅ Done: " + e.model() + "\n" + String.join("\n", e.resultUrls())
                + "\n(links stay valid for about 24 hours)";
    }

    static String failed(JobFailed e) {
        String why = switch (e.reason()) {
            case KIE_REJECTED -> "the generation service refused the task";
            case TASK_FAILED -> "the generation failed";
            case TIMED_OUT -> "the generation took too long";
            case NO_RESULT -> "the generation returned no result";
        };
        return "❌ " + e.model() + ": " + why + ".\n" + e.detail()
                + "\nNothing was charged: the amount held on your balance was released.";
    }

    static String rejected(JobRejected e) {
        String why = switch (e.reason()) {
            case UNKNOWN_MODEL -> "there is no model called " + e.model() + ". Send /models to see them.";
            case INVALID_INPUT -> e.detail();
            case INSUFFICIENT_FUNDS -> "your balance is too low for " + e.model()
                    + ". Send /balance to see it.";
            case HOLD_REJECTED -> e.detail();
            case MODEL_DISABLED -> e.model() + " is not available right now. Send /models to see the others.";
            case QUOTE_INVALID -> e.detail();
            case QUOTE_CHANGED -> e.detail();
            case KIE_UNAVAILABLE -> "generation is temporarily unavailable. Please try again in a few minutes.";
            case TOO_MANY_RUNNING, RATE_LIMITED, FREE_LIMIT_REACHED, FREE_BUDGET_EXHAUSTED -> e.detail();
        };
        return "⚠️ Not started: " + why + "\nNothing was charged.";
    }
}
