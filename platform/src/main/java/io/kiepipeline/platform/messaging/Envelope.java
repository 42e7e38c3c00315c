package io.kiepipeline.platform.messaging;

import io.kiepipeline.schemas.EventId;
import io.kiepipeline.schemas.Message;
import java.time.Instant;

/** A message read from a topic, with its envelope headers. */
public record Envelope(EventId eventId, String type, Message message, String correlationId, String causationId,
                       Instant occurredAt, String topic, int partition, long offset) {
}
