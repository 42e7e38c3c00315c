package io.kiepipeline.bot.conversation;

import io.kiepipeline.schemas.Language;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.text.MessageFormat;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/** The bot's words, in {@code bot/texts_<lang>.properties} (UTF-8, MessageFormat). Every key exists in every language. */
public final class Texts {
    private static final Map<Language, Properties> TEXTS = load();

    private Texts() {
    }

    /** A text with its arguments; arguments are used as given (escape user text before). */
    public static String get(Language language, String key, Object... args) {
        String pattern = TEXTS.get(language).getProperty(key);
        if (pattern == null) {
            throw new IllegalArgumentException("no text " + key + " in " + language);
        }
        return args.length == 0 ? pattern.replace("''", "'")
                : new MessageFormat(pattern, Locale.ROOT).format(args);
    }

    static java.util.Set<String> keys(Language language) {
        return TEXTS.get(language).stringPropertyNames();
    }

    private static Map<Language, Properties> load() {
        Map<Language, Properties> all = new EnumMap<>(Language.class);
        for (Language l : Language.values()) {
            String name = "bot/texts_" + l.tag() + ".properties";
            try (InputStream in = Texts.class.getClassLoader().getResourceAsStream(name)) {
                if (in == null) {
                    throw new IllegalStateException("no " + name + " on the classpath");
                }
                Properties p = new Properties();
                p.load(new InputStreamReader(in, StandardCharsets.UTF_8));
                all.put(l, p);
            } catch (IOException e) {
                throw new IllegalStateException("cannot read " + name, e);
            }
        }
        return all;
    }
}
