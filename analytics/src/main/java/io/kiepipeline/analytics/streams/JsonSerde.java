package io.kiepipeline.analytics.streams;

import io.kiepipeline.schemas.MessageCodec;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
import tools.jackson.core.JacksonException;

/** A record as JSON (the schemas' mapper: ISO-8601 instants, unknown fields ignored). */
public final class JsonSerde<T> implements Serde<T> {
    private final Class<T> type;

    public JsonSerde(Class<T> type) {
        this.type = type;
    }

    @Override
    public Serializer<T> serializer() {
        return (topic, value) -> value == null ? null : MessageCodec.mapper().writeValueAsBytes(value);
    }

    @Override
    public Deserializer<T> deserializer() {
        return (topic, data) -> {
            if (data == null) {
                return null;
            }
            try {
                return MessageCodec.mapper().readValue(data, type);
            } catch (JacksonException e) {
                throw new SerializationException("not a " + type.getSimpleName() + ": " + e.getMessage(), e);
            }
        };
    }
}
