package io.kiepipeline.platform.config;

/**
 * A setting whose value breaks its rule. Thrown by a settings record's constructor with the field's property name
 * relative to the record ({@code senders}, {@code rate.chat-interval}); {@link SettingsBindHandler} turns it into the
 * message that stops the start, naming the environment variable the value came from.
 */
public class InvalidSettingException extends IllegalArgumentException {
    private final String property;
    private final String rule;
    private final Object value;

    public InvalidSettingException(String property, String rule, Object value) {
        super(property + " " + rule + "; it is " + value);
        this.property = property;
        this.rule = rule;
        this.value = value;
    }

    InvalidSettingException(String message) {
        super(message);
        this.property = null;
        this.rule = null;
        this.value = null;
    }

    /** The property, relative to the settings record (kebab case), e.g. {@code rate.chat-interval}. */
    public String property() {
        return property;
    }

    public String rule() {
        return rule;
    }

    public Object value() {
        return value;
    }

    /** A secret's value as an error shows it: its length only. */
    public static Object secret(String value) {
        return new Secret(value == null ? 0 : value.length());
    }

    /** What an error shows of a secret. */
    record Secret(int length) {
        @Override
        public String toString() {
            return "(a secret of " + length + " characters)";
        }
    }

    /** One or several comma-separated http(s) base URLs: the instances of a service another one reads from. */
    public static void requireUrls(String value, String property) {
        require(value != null && !value.isBlank() && java.util.Arrays.stream(value.split(",")).map(String::trim)
                .allMatch(u -> u.matches("https?://[^\\s/,]+(/\\S*)?")), property,
                "must be one or more comma-separated http(s) URLs", value);
    }

    /** Checks a rule of a settings record; {@code property} relative to the record, in kebab case. */
    public static void require(boolean ok, String property, String rule, Object value) {
        if (!ok) {
            throw new InvalidSettingException(property, rule, value);
        }
    }

    /** The message with the variable named, once resolved: no further handler rewrites it. */
    static final class Resolved extends InvalidSettingException {
        Resolved(String message) {
            // no cause: this sentence is the whole story, and what Spring prints last (the root cause)
            super(message);
        }
    }
}
