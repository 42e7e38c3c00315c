package io.kiepipeline.schemas;

/**
 * A topic with the one message family it carries. Names follow {@code <owner>.<commands|events>}: the owner is the
 * service that handles those commands, or the single writer of those events.
 */
public record Topic<T extends Message>(String name, Class<T> family, KeyKind keyKind) {
    public enum KeyKind {
        JOB_ID, USER_ID
    }

    /** The dead-letter topic that Spring Kafka's recoverer publishes to (same partition as the source). */
    public String deadLetter() {
        return name + "-dlt";
    }

    @Override
    public String toString() {
        return name;
    }
}
