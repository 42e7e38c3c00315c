package io.kiepipeline.schemas;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** A Telegram id (users and private chats have numeric ids that fit in a long). */
public record UserId(@JsonValue long value) {
    @JsonCreator
    public static UserId of(long value) {
        return new UserId(value);
    }

    @Override
    public String toString() {
        return Long.toString(value);
    }
}
