package io.kiepipeline.bot.conversation;

import io.kiepipeline.schemas.Language;
import java.util.List;
import java.util.Map;

/** What the conversation asks the rest of the system: the catalog, a balance, a quote. Remote calls, outside any transaction. */
public interface Backend {
    /** The models on sale. */
    List<BotModel> models();

    /** A user's balance: what they can spend now, and what running jobs hold. */
    Account account(long userId);

    /** The price of this input, as a quote the user confirms; or why not. */
    Quote quote(long userId, String modelId, Map<String, Object> input, Language language);

    /** The catalog cannot be read now (the orchestrator unreachable, and no earlier copy): the user is told to retry. */
    final class Unavailable extends RuntimeException {
        public Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The user's latest balance movements, newest first (at most {@code limit}); none when they cannot be read. */
    default List<Movement> movements(long userId, int limit) {
        return List.of();
    }

    /** A movement of a balance: its kind (DEPOSIT, HOLD, RELEASE, CAPTURE, DEBIT) and its amount. */
    record Movement(String kind, long amountMinor, String currency, String at) {
    }

    /** The user's latest jobs, newest first (at most {@code limit}). */
    List<PastJob> history(long userId, int limit);

    record Account(long availableMinor, long heldMinor, String currency) {
    }

    /** A job as {@code /history} shows it. */
    record PastJob(String jobId, String model, String status, long priceMinor, String currency, String prompt,
                   Map<String, Object> input, List<String> resultUrls) {
        public PastJob {
            input = input == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(
                    input));
            resultUrls = resultUrls == null ? List.of() : List.copyOf(resultUrls);
        }
    }

    sealed interface Quote {
        record Priced(String quoteId, long priceMinor, String currency) implements Quote {
        }

        /** The input is refused (the message names the field, in the user's language). */
        record Refused(String message) implements Quote {
        }

        /** No quote now (KIE unavailable, the orchestrator unreachable). */
        record Unavailable() implements Quote {
        }
    }
}
