package io.kiepipeline.bot.conversation;

import io.kiepipeline.schemas.Language;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where one chat's conversation stands, kept in the database between updates (so it survives restarts and any
 * gateway can take the next update).
 *
 * @param step          what the bot waits for
 * @param modelId       the model being set up (null when idle)
 * @param input         what the user gave so far (field → value)
 * @param queue         the fields still to ask, the first being asked now
 * @param quoteId       the quote the confirmation shows (CONFIRMING)
 * @param priceMinor    that quote's price
 * @param wizardMessage the message whose buttons are current (a tap on any other message's buttons is stale)
 */
public record ChatState(Language language, Step step, String modelId, Map<String, Object> input, List<String> queue,
                        String quoteId, long priceMinor, String currency, int wizardMessage) {
    public enum Step {
        /** Nothing under way: menus and commands. */
        IDLE,
        /** Asking the required fields, one by one ({@code queue}). */
        ASKING,
        /** Required fields done: "use defaults" or "change settings". */
        CHOOSING_SETTINGS,
        /** Asking the optional settings, one by one. */
        SETTINGS,
        /** The quote is shown: "confirm" or "cancel". */
        CONFIRMING,
        /** A top-up of another number of Stars: the number is asked. */
        TOPUP_AMOUNT
    }

    public ChatState {
        input = input == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(input));
        queue = queue == null ? List.of() : List.copyOf(queue);
    }

    public static ChatState fresh(Language language) {
        return new ChatState(language, Step.IDLE, null, Map.of(), List.of(), null, 0, null, 0);
    }

    /** Back to the menus, keeping the language. */
    ChatState idle() {
        return fresh(language);
    }

    ChatState withLanguage(Language l) {
        return new ChatState(l, step, modelId, input, queue, quoteId, priceMinor, currency, wizardMessage);
    }

    ChatState asking(String model, Map<String, Object> in, List<String> fields, Step s) {
        return new ChatState(language, s, model, in, fields, null, 0, null, wizardMessage);
    }

    ChatState with(Step s, Map<String, Object> in, List<String> fields) {
        return new ChatState(language, s, modelId, in, fields, quoteId, priceMinor, currency, wizardMessage);
    }

    ChatState at(Step s) {
        return new ChatState(language, s, null, Map.of(), List.of(), null, 0, null, wizardMessage);
    }

    ChatState confirming(String quote, long price, String cur) {
        return new ChatState(language, Step.CONFIRMING, modelId, input, List.of(), quote, price, cur, wizardMessage);
    }

    /** The field being asked now, or null. */
    String asking() {
        return queue.isEmpty() ? null : queue.getFirst();
    }
}
