package io.kiepipeline.gateway.telegram;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.telegram.telegrambots.meta.api.methods.updates.GetUpdates;
import org.telegram.telegrambots.meta.api.objects.Update;
import org.telegram.telegrambots.meta.exceptions.TelegramApiRequestException;

/**
 * getUpdates that keeps each update as Telegram sent it. The library would read the whole batch into its own classes,
 * so a single update it cannot read (a field of an unexpected type, a shape a newer Bot API introduced) would fail the
 * batch, and the poll would be repeated from the same offset and fail again, for ever. Here each update's JSON goes to
 * {@code raw} (by update id), for the {@link TelegramUpdateForwarder} to publish untouched; the library gets an
 * update holding only its id, so its offset moves on. A result entry without an update_id is logged
 * ({@code telegram.update-unreadable}, without its content) and skipped.
 */
final class TolerantGetUpdates extends GetUpdates {
    private static final Logger log = LoggerFactory.getLogger(TolerantGetUpdates.class);

    private final transient Map<Integer, String> raw;

    TolerantGetUpdates(int offset, int limit, int timeoutSeconds, List<String> allowedUpdates,
                       Map<Integer, String> raw) {
        super(offset, limit, timeoutSeconds, allowedUpdates);
        this.raw = raw;
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
            JsonNode id = node.get("update_id");
            if (id == null || !id.canConvertToInt()) {
                log.atWarn().log("telegram.update-unreadable; without an update_id, skipped");
                continue;
            }
            raw.put(id.asInt(), node.toString());
            Update carrier = new Update();
            carrier.setUpdateId(id.asInt());
            updates.add(carrier);
        }
        return updates;
    }
}
