package io.kiepipeline.gateway.telegram;

import io.kiepipeline.schemas.JobId;
import java.time.Duration;

/**
 * What the bot answers to {@code /generate}. None of these ever asks the user to send the command again: a request
 * Kafka did not confirm may still have been written, and a second tap is a second job and a second hold.
 */
final class Replies {
    private Replies() {
    }

    static String working(JobId jobId) {
        return "⏳ Working on it (job " + shortId(jobId) + "). I'll send the result here; you pay only if it arrives.";
    }

    static String unconfirmed(JobId jobId, Duration retryWindow) {
        return "⏳ I could not confirm your request yet (job " + shortId(jobId) + "): the service is slow right now. "
                + "I keep trying for " + minutes(retryWindow) + "; if it goes through, the result will come here. "
                + "Please don't resend the command: check /balance or wait.";
    }

    static String confirmedLate(JobId jobId) {
        return "⏳ Your request is confirmed now (job " + shortId(jobId)
                + "). I'll send the result here; you pay only if it arrives.";
    }

    static String stillUnconfirmed(JobId jobId) {
        return "⚠️ I still could not confirm your request (job " + shortId(jobId) + "). If it went through, the "
                + "result will come here, and /balance shows the amount held for it. If nothing is held there in a "
                + "few minutes, it did not go through and nothing was charged.";
    }

    private static String shortId(JobId jobId) {
        return jobId.toString().substring(0, 8);
    }

    private static String minutes(Duration d) {
        long minutes = d.toMinutes();
        return minutes >= 2 ? minutes + " minutes" : minutes == 1 ? "a minute" : d.toSeconds() + " seconds";
    }
}
