package io.kiepipeline.platform.logging;

import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.EncoderBase;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.springframework.boot.logging.logback.StructuredLogEncoder;
import org.springframework.core.env.Environment;
import org.springframework.core.env.StandardEnvironment;

/**
 * Every service's log encoder: text lines by default (the step, then its key-value pairs), or one JSON object per
 * line when {@code LOG_FORMAT=json} (Spring Boot's structured logging, Elastic Common Schema by default, or
 * {@code LOG_JSON_FORMAT=logstash|gelf}). Secrets are masked in both, over the whole rendered line.
 */
public class PipelineLogEncoder extends EncoderBase<ILoggingEvent> {
    private String pattern;
    private String format;
    private Encoder<ILoggingEvent> delegate;
    private boolean json;

    /** The text format's pattern (logback.xml). */
    public void setPattern(String pattern) {
        this.pattern = pattern;
    }

    /** {@code text} or {@code json}; unset: {@code LOG_FORMAT} from the environment or system properties. */
    public void setFormat(String format) {
        this.format = format;
    }

    @Override
    public void start() {
        String chosen = format != null ? format : setting("LOG_FORMAT", "text");
        json = switch (chosen.trim().toLowerCase(Locale.ROOT)) {
            case "json" -> true;
            case "text", "" -> false;
            default -> {
                addWarn("LOG_FORMAT must be text or json, not '" + chosen + "': using text");
                yield false;
            }
        };
        if (json) {
            // Boot puts its Environment here when it configures logging; before that (or with Boot's logging
            // system off, as in the one-JVM run) the process environment serves: the JSON names the service
            // from its variables either way
            if (!(getContext().getObject(Environment.class.getName()) instanceof Environment)) {
                getContext().putObject(Environment.class.getName(), new StandardEnvironment());
            }
            StructuredLogEncoder structured = new StructuredLogEncoder();
            structured.setFormat(setting("LOG_JSON_FORMAT", "ecs"));
            structured.setCharset(StandardCharsets.UTF_8);
            delegate = structured;
        } else {
            PatternLayoutEncoder text = new PatternLayoutEncoder();
            text.setPattern(pattern);
            text.setCharset(StandardCharsets.UTF_8);
            delegate = text;
        }
        delegate.setContext(getContext());
        delegate.start();
        super.start();
    }

    @Override
    public void stop() {
        if (delegate != null) {
            delegate.stop();
        }
        super.stop();
    }

    /** True when lines are JSON. */
    public boolean json() {
        return json;
    }

    @Override
    public byte[] headerBytes() {
        return delegate.headerBytes();
    }

    @Override
    public byte[] encode(ILoggingEvent event) {
        byte[] line = delegate.encode(event);
        if (!json) {
            return line; // the pattern's converters mask each part already
        }
        // the whole JSON line at once: the message, every key-value pair, the stack trace
        return SecretMasker.maskJson(new String(line, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public byte[] footerBytes() {
        return delegate.footerBytes();
    }

    private static String setting(String name, String otherwise) {
        String value = System.getProperty(name);
        if (value == null || value.isBlank()) {
            value = System.getenv(name);
        }
        return value == null || value.isBlank() ? otherwise : value;
    }
}
