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
     * The messages of a result, in the order they are sent: each URL by the method of the model's output type,
     * captioned; or one text with the links when the output is text (or, defensively, when there is no URL).
     */
    static List<OutgoingMessage> result(JobSucceeded e) {
        TelegramMethod method = methodOf(e.outputType());
        if (!method.isMedia() || e.resultUrls().isEmpty()) {
            return List.of(OutgoingMessage.text(resultAsLink(e)));
        }
        return e.resultUrls().stream()
                .map(url -> new OutgoingMessage(method, url, resultCaption(e), resultAsLink(e)))
                .toList();
    }

    /**
     * A result that came after the job had timed out: sent like any result, and said to be free (the user was told
     * nothing was charged, and nothing is).
     */
    static List<OutgoingMessage> lateResult(JobEvent.JobLateResult e) {
        String note = "✅ Late but done: " + e.model() + ". It arrived after the job had timed out, so it is free.";
        String withLinks = note + "\n" + String.join("\n", e.resultUrls()) + "\n(links stay valid for about 24 hours)";
        TelegramMethod method = methodOf(e.outputType());
        if (!method.isMedia() || e.resultUrls().isEmpty()) {
            return List.of(OutgoingMessage.text(withLinks));
        }
        return e.resultUrls().stream().map(url -> new OutgoingMessage(method, url, note, withLinks)).toList();
    }

    private static TelegramMethod methodOf(io.kiepipeline.schemas.OutputType type) {
        return switch (type) {
            case IMAGE -> TelegramMethod.SEND_PHOTO;
            case VIDEO -> TelegramMethod.SEND_VIDEO;
            case AUDIO -> TelegramMethod.SEND_AUDIO;
            case TEXT -> TelegramMethod.SEND_MESSAGE;
        };
    }

    static String resultCaption(JobSucceeded e) {
        return "✅ Done: " + e.model();
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
        };
        return "⚠️ Not started: " + why + "\nNothing was charged.";
    }
}
