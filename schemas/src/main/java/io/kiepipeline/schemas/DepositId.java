package io.kiepipeline.schemas;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Objects;
import java.util.UUID;

public record DepositId(@JsonValue UUID value) {
    public DepositId {
        Objects.requireNonNull(value, "DepositId needs a value");
    }

    @JsonCreator
    public static DepositId of(UUID value) {
        return new DepositId(value);
    }

    public static DepositId parse(String value) {
        return new DepositId(UUID.fromString(value));
    }

    @Override
    public String toString() {
        return value.toString();
    }
}
