package io.kiepipeline.schemas;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Objects;
import java.util.UUID;

public record JobId(@JsonValue UUID value) {
    public JobId {
        Objects.requireNonNull(value, "JobId needs a value");
    }

    @JsonCreator
    public static JobId of(UUID value) {
        return new JobId(value);
    }

    public static JobId parse(String value) {
        return new JobId(UUID.fromString(value));
    }

    @Override
    public String toString() {
        return value.toString();
    }
}
