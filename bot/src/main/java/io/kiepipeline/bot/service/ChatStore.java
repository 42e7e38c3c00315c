package io.kiepipeline.bot.service;

import io.kiepipeline.bot.conversation.ChatState;
import io.kiepipeline.schemas.MessageCodec;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/** Where each chat's conversation stands ({@code bot.chat}), versioned so that two handlers never overwrite each other. */
@Component
public class ChatStore {
    private final JdbcTemplate jdbc;

    ChatStore(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** A chat's state as read, with the version a save must find; a chat never seen has none (version 0). */
    public record Loaded(ChatState state, long version) {
    }

    public Loaded load(long chatId) {
        List<Loaded> rows = jdbc.query("select state, version from chat where chat_id = ?",
                (rs, i) -> new Loaded(read(rs.getString(1)), rs.getLong(2)), chatId);
        return rows.isEmpty() ? new Loaded(null, 0) : rows.getFirst();
    }

    /**
     * Saves the state if the chat is still at {@code version} (in the caller's transaction); false when another
     * handler moved it on first, and the update must be handled again from the new state.
     */
    public boolean save(long chatId, long userId, ChatState state, long version, Instant now) {
        String json = MessageCodec.mapper().writeValueAsString(state);
        if (version == 0) {
            return jdbc.update("""
                    insert into chat (chat_id, user_id, state, version, updated_at) values (?, ?, ?, 1, ?)
                    on conflict (chat_id) do nothing""", chatId, userId, json, Timestamp.from(now)) == 1;
        }
        return jdbc.update("update chat set state = ?, user_id = ?, version = version + 1, updated_at = ?"
                + " where chat_id = ? and version = ?", json, userId, Timestamp.from(now), chatId, version) == 1;
    }

    private static ChatState read(String json) {
        try {
            return MessageCodec.mapper().readValue(json, ChatState.class);
        } catch (RuntimeException e) {
            // a state this version cannot read (written by a newer one, or damaged): the chat starts over
            return null;
        }
    }
}
