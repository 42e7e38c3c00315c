package io.kiepipeline.schemas;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Objects;
import java.util.UUID;

public record DebitId(@JsonValue UUID value) {
    public DebitId {
        Objects.requireNonNull(value, "DebitId needs a value");
    }

    @JsonCreator
    public static DebitId of(UUID value) {
        return new DebitId(value);
    }

    public static DebitId parse(String value) {
        return new DebitId(UUID.fromString(value));
    }

    @Override
    public String toString() {
        return value.toString();
    }
}
