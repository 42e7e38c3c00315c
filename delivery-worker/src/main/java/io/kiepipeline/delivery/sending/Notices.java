package io.kiepipeline.delivery.sending;

import io.kiepipeline.schemas.JobEvent.JobFailed;
import io.kiepipeline.schemas.JobEvent.JobRejected;
import io.kiepipeline.schemas.JobEvent.JobSucceeded;

/** What the bot says. Every failure notice says why, and that nothing was charged. */
final class Notices {
    private Notices() {
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
        };
        return "⚠️ Not started: " + why + "\nNothing was charged.";
    }
}
