package io.kiepipeline.schemas;

import java.util.Locale;

/** The languages the bot and the user-facing messages speak. English is the fallback for every other language. */
public enum Language {
    EN, RU;

    /** From a Telegram {@code language_code} or an IETF tag ({@code "ru"}, {@code "ru-RU"}, {@code "en"}); null → EN. */
    public static Language fromTag(String tag) {
        if (tag == null || tag.isBlank()) {
            return EN;
        }
        String primary = tag.trim().toLowerCase(Locale.ROOT);
        int dash = primary.indexOf('-');
        primary = dash > 0 ? primary.substring(0, dash) : primary;
        // Russian-speaking users of the bots this replaces also write from Ukrainian, Belarusian and Kazakh clients
        return switch (primary) {
            case "ru", "uk", "be", "kk" -> RU;
            default -> EN;
        };
    }

    /** {@code en} or {@code ru}: the key of a localised text in the catalog. */
    public String tag() {
        return name().toLowerCase(Locale.ROOT);
    }
}
