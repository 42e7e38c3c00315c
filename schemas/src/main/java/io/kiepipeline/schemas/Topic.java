package io.kiepipeline.schemas;

/**
 * A topic with the one message family it carries. Names follow {@code <owner>.<commands|events>}: the owner is the
 * service that handles those commands, or the single writer of those events.
 */
public record Topic<T extends Message>(String name, Class<T> family, KeyKind keyKind, boolean compacted) {
    public enum KeyKind {
        JOB_ID, USER_ID, CHAT_ID,
        /** One fixed key: the topic holds the latest state of something (compacted). */
        SINGLE
    }

    public Topic(String name, Class<T> family, KeyKind keyKind) {
        this(name, family, keyKind, false);
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
