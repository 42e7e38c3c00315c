package io.kiepipeline.gateway.telegram;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.telegram.telegrambots.meta.api.methods.updates.GetUpdates;
import org.telegram.telegrambots.meta.api.objects.Update;
import org.telegram.telegrambots.meta.exceptions.TelegramApiRequestException;

/**
 * getUpdates that reads each update on its own. The library reads the whole batch as one list, so a single update
 * it cannot read (a field of an unexpected type, a shape a newer Bot API introduced) fails the batch; the poll is
 * repeated from the same offset and fails again, for ever: one bad update silences the bot for everyone. Here an
 * unreadable update becomes an empty update with its id, so the offset moves past it, and is logged
 * ({@code telegram.update-unreadable}, without its content); the rest of the batch is handled as usual.
 */
final class TolerantGetUpdates extends GetUpdates {
    private static final Logger log = LoggerFactory.getLogger(TolerantGetUpdates.class);

    TolerantGetUpdates(int offset, int limit, int timeoutSeconds, List<String> allowedUpdates) {
        super(offset, limit, timeoutSeconds, allowedUpdates);
    }

    @Override
    public ArrayList<Update> deserializeResponse(String answer) throws TelegramApiRequestException {
        JsonNode root;
        try {
            root = OBJECT_MAPPER.readTree(answer);
        } catch (Exception e) {
            return super.deserializeResponse(answer);
        }
        if (root == null || !root.path("ok").asBoolean(false) || !root.path("result").isArray()) {
            // an error answer (409, 502, …): the library turns it into its exception
            return super.deserializeResponse(answer);
        }
        ArrayList<Update> updates = new ArrayList<>();
        for (JsonNode node : root.get("result")) {
            try {
                updates.add(OBJECT_MAPPER.treeToValue(node, Update.class));
            } catch (Exception e) {
                JsonNode id = node.get("update_id");
                if (id != null && id.canConvertToInt()) {
                    Update skipped = new Update();
                    skipped.setUpdateId(id.asInt());
                    updates.add(skipped);
                    log.atWarn().addKeyValue("updateId", id.asInt()).addKeyValue("error", e.getClass().getSimpleName())
                            .log("telegram.update-unreadable; skipped");
                } else {
                    log.atWarn().addKeyValue("error", e.getClass().getSimpleName())
                            .log("telegram.update-unreadable; without an update_id, skipped");
                }
            }
        }
        return updates;
    }
}
