package io.kiepipeline.schemas;

/** The Kafka headers every message carries. The payload holds only business facts; these hold the envelope. */
public final class Headers {
    /** A UUID, unique per message; consumers dedupe on it. */
    public static final String EVENT_ID = "event-id";
    /** The logical type name, e.g. {@code ledger.hold-placed.v1} (see {@link MessageTypes}). */
    public static final String EVENT_TYPE = "event-type";
    /** The payload's schema version (the number at the end of the type name). */
    public static final String SCHEMA_VERSION = "schema-version";
    /** ISO-8601 instant at which the producer recorded the message. */
    public static final String OCCURRED_AT = "occurred-at";
    /** The job id where there is one, so that one job's whole trace can be followed across topics. */
    public static final String CORRELATION_ID = "correlation-id";
    /** The event-id of the message that caused this one, when there is one. */
    public static final String CAUSATION_ID = "causation-id";

    private Headers() {
    }
}
