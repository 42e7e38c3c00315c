package io.kiepipeline.schemas;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.cfg.DateTimeFeature;

/**
 * Turns messages into their JSON payloads and back. The payload holds only business facts; the type travels in the
 * {@code event-type} header.
 */
public final class MessageCodec {
    private static final JsonMapper MAPPER = JsonMapper.builder()
            .disable(DateTimeFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private MessageCodec() {
    }

    public static String toJson(Message message) {
        return MAPPER.writeValueAsString(message);
    }

    /**
     * Reads a payload of a named type.
     *
     * @throws UnreadableMessageException when the type is unknown or the payload does not fit it: such a message
     *                                    cannot succeed on a retry and belongs on the dead-letter topic
     */
    public static Message fromJson(String typeName, String json) {
        Class<? extends Message> type = MessageTypes.classOf(typeName)
                .orElseThrow(() -> new UnreadableMessageException("unknown event-type: " + typeName));
        try {
            return MAPPER.readValue(json, type);
        } catch (JacksonException | IllegalArgumentException | NullPointerException e) {
            throw new UnreadableMessageException("payload does not fit " + typeName + ": " + e.getMessage(), e);
        }
    }

    public static JsonMapper mapper() {
        return MAPPER;
    }

    public static final class UnreadableMessageException extends RuntimeException {
        public UnreadableMessageException(String message) {
            super(message);
        }

        public UnreadableMessageException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
