package io.kiepipeline.schemas;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Objects;
import java.util.UUID;

public record EventId(@JsonValue UUID value) {
    public EventId {
        Objects.requireNonNull(value, "EventId needs a value");
    }

    @JsonCreator
    public static EventId of(UUID value) {
        return new EventId(value);
    }

    public static EventId parse(String value) {
        return new EventId(UUID.fromString(value));
    }

    @Override
    public String toString() {
        return value.toString();
    }
}
