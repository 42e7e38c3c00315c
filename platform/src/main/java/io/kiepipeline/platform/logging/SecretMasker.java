package io.kiepipeline.platform.logging;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Replaces secrets in log output with {@code ****}. Services register every secret value they are given at start
 * (bot token, KIE key, API and admin tokens, HMAC keys, database password); query parameters named like credentials
 * are masked whatever their value.
 */
public final class SecretMasker {
    private static final Set<String> SECRETS = ConcurrentHashMap.newKeySet();
    /** The secrets, longest first: one that contains another (two keys with a common prefix) is masked whole. */
    private static volatile java.util.List<String> longestFirst = java.util.List.of();
    /** The same as JSON writes them, escaped once here rather than on every line. */
    private static volatile java.util.List<String> longestFirstInJson = java.util.List.of();
    private static final Pattern CREDENTIAL_PARAM =
            Pattern.compile("((?:token|secret|password|api_key|apikey|key)=)[^&\\s\"']+", Pattern.CASE_INSENSITIVE);
    /** The same in JSON text: a value ends at a backslash too (an escaped quote ends the string). */
    private static final Pattern JSON_CREDENTIAL_PARAM =
            Pattern.compile("((?:token|secret|password|api_key|apikey|key)=)[^&\\s\"'\\\\]+", Pattern.CASE_INSENSITIVE);
    private static final Pattern BEARER = Pattern.compile("(Bearer )[A-Za-z0-9._~+/=-]+");
    private static final Pattern BOT_PATH = Pattern.compile("(/bot)\\d+:[A-Za-z0-9_-]+");

    private SecretMasker() {
    }

    /** Registers a secret value; values shorter than 6 characters are ignored to keep output readable. */
    public static void register(String secret) {
        if (secret != null && secret.length() >= 6 && SECRETS.add(secret)) {
            longestFirst = SECRETS.stream().sorted(java.util.Comparator.comparingInt(String::length).reversed())
                    .toList();
            longestFirstInJson = SECRETS.stream().map(SecretMasker::jsonEscaped)
                    .sorted(java.util.Comparator.comparingInt(String::length).reversed()).toList();
        }
    }

    /**
     * {@link #mask} for a line of JSON: each secret is looked for as JSON writes it (Spring Boot's writer: {@code \"}
     * {@code \\} {@code \b} {@code \f} {@code \n} {@code \r} {@code \t}, other control characters and U+007F to
     * U+009F as {@code \}{@code uXXXX} in capitals), and a masked value never swallows the backslash of an escaped
     * quote, so the line stays valid JSON.
     */
    public static String maskJson(String json) {
        return masked(json, longestFirstInJson, JSON_CREDENTIAL_PARAM);
    }

    /** A string as Spring Boot's JSON writer puts it between quotes. */
    static String jsonEscaped(String s) {
        StringBuilder b = new StringBuilder(s.length() + 8);
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20 || (c >= 0x7F && c <= 0x9F)) {
                        b.append(String.format("\\u%04X", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }

    public static String mask(String text) {
        return masked(text, longestFirst, CREDENTIAL_PARAM);
    }

    private static String masked(String text, java.util.List<String> secrets, Pattern credential) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String out = text;
        for (String secret : secrets) {
            if (out.contains(secret)) {
                out = out.replace(secret, "****");
            }
        }
        out = credential.matcher(out).replaceAll("$1****");
        out = BEARER.matcher(out).replaceAll("$1****");
        out = BOT_PATH.matcher(out).replaceAll("$1****");
        return out;
    }
}
