package io.kiepipeline.platform.messaging;

import io.kiepipeline.schemas.EventId;
import io.kiepipeline.schemas.Headers;
import io.kiepipeline.schemas.Message;
import io.kiepipeline.schemas.MessageCodec;
import io.kiepipeline.schemas.MessageCodec.UnreadableMessageException;
import io.kiepipeline.schemas.MessageTypes;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;

/** Reads and writes the envelope headers of Kafka records. */
public final class Envelopes {
    private Envelopes() {
    }

    /**
     * Reads a record into an envelope.
     *
     * @throws UnreadableMessageException for a record that no retry can make readable (it goes to the dead-letter
     *                                    topic)
     */
    public static Envelope read(ConsumerRecord<String, String> record) {
        String type = header(record, Headers.EVENT_TYPE);
        String eventId = header(record, Headers.EVENT_ID);
        if (type == null || eventId == null) {
            throw new UnreadableMessageException("record has no " + (type == null ? Headers.EVENT_TYPE
                    : Headers.EVENT_ID) + " header");
        }
        if (record.value() == null) {
            throw new UnreadableMessageException("record has no payload");
        }
        EventId id;
        Instant occurredAt;
        try {
            id = new EventId(UUID.fromString(eventId));
            String at = header(record, Headers.OCCURRED_AT);
            occurredAt = at == null ? Instant.ofEpochMilli(record.timestamp()) : Instant.parse(at);
        } catch (IllegalArgumentException | DateTimeParseException e) {
            throw new UnreadableMessageException("bad envelope header: " + e.getMessage(), e);
        }
        Message message = MessageCodec.fromJson(type, record.value());
        return new Envelope(id, type, message, header(record, Headers.CORRELATION_ID),
                header(record, Headers.CAUSATION_ID), occurredAt, record.topic(), record.partition(),
                record.offset());
    }

    /** Builds the record for a message with its envelope headers. */
    public static ProducerRecord<String, String> record(String topic, String key, String type, String payload,
                                                        UUID eventId, String correlationId, String causationId,
                                                        Instant occurredAt) {
        ProducerRecord<String, String> record = new ProducerRecord<>(topic, key, payload);
        add(record, Headers.EVENT_ID, eventId.toString());
        add(record, Headers.EVENT_TYPE, type);
        add(record, Headers.SCHEMA_VERSION, Integer.toString(schemaVersion(type)));
        add(record, Headers.OCCURRED_AT, occurredAt.toString());
        add(record, Headers.CORRELATION_ID, correlationId);
        add(record, Headers.CAUSATION_ID, causationId);
        return record;
    }

    /** Builds the record for a message published directly (not through an outbox). */
    public static ProducerRecord<String, String> record(Message message, String correlationId) {
        String type = MessageTypes.nameOf(message.getClass());
        return record(io.kiepipeline.schemas.Topics.carrying(message.getClass()).name(), message.key(), type,
                MessageCodec.toJson(message), UUID.randomUUID(), correlationId, null, Instant.now());
    }

    static int schemaVersion(String type) {
        int v = type.lastIndexOf(".v");
        try {
            return v < 0 ? MessageTypes.SCHEMA_VERSION : Integer.parseInt(type.substring(v + 2));
        } catch (NumberFormatException e) {
            return MessageTypes.SCHEMA_VERSION;
        }
    }

    private static void add(ProducerRecord<String, String> record, String name, String value) {
        if (value != null) {
            record.headers().add(name, value.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** A header's value as text; null when missing. */
    public static String header(ConsumerRecord<String, String> record, String name) {
        Header h = record.headers().lastHeader(name);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
