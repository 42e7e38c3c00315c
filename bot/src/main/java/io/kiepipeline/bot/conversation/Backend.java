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

    record Account(long availableMinor, long heldMinor, String currency) {
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
