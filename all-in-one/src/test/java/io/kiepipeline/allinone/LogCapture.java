package io.kiepipeline.allinone;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.kiepipeline.platform.logging.MaskedKeyValuePairsConverter;
import io.kiepipeline.platform.logging.MaskedMessageConverter;
import io.kiepipeline.platform.logging.MaskedThrowableConverter;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.LoggerFactory;

/**
 * Keeps every log line of the run, rendered by the same converters as the console pattern (message, key-value
 * pairs, stack trace), so a test can search the whole output for secrets.
 */
final class LogCapture extends AppenderBase<ILoggingEvent> {
    private static final LogCapture INSTANCE = new LogCapture();
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final List<String> jsonLines = new CopyOnWriteArrayList<>();
    /** The same events as LOG_FORMAT=json writes them. */
    private final io.kiepipeline.platform.logging.PipelineLogEncoder json =
            new io.kiepipeline.platform.logging.PipelineLogEncoder();
    private final MaskedMessageConverter message = new MaskedMessageConverter();
    private final MaskedKeyValuePairsConverter pairs = new MaskedKeyValuePairsConverter();
    private final MaskedThrowableConverter throwable = new MaskedThrowableConverter();

    static synchronized void install() {
        if (!INSTANCE.isStarted()) {
            LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
            INSTANCE.setContext(context);
            INSTANCE.throwable.setContext(context);
            INSTANCE.throwable.start();
            INSTANCE.json.setContext(context);
            INSTANCE.json.setFormat("json");
            INSTANCE.json.start();
            INSTANCE.start();
            context.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(INSTANCE);
        }
    }

    static List<String> lines() {
        return INSTANCE.lines;
    }

    /** Every line of the run as {@code LOG_FORMAT=json} writes it. */
    static List<String> jsonLines() {
        return INSTANCE.jsonLines;
    }

    @Override
    protected void append(ILoggingEvent event) {
        lines.add(event.getLoggerName() + " " + message.convert(event) + " " + pairs.convert(event) + " "
                + throwable.convert(event));
        jsonLines.add(new String(json.encode(event), java.nio.charset.StandardCharsets.UTF_8));
    }
}
