package io.kiepipeline.schemas;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** A Telegram id (users and private chats have numeric ids that fit in a long). */
public record ChatId(@JsonValue long value) {
    @JsonCreator
    public static ChatId of(long value) {
        return new ChatId(value);
    }

    @Override
    public String toString() {
        return Long.toString(value);
    }
}
