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
    private static final Pattern CREDENTIAL_PARAM =
            Pattern.compile("((?:token|secret|password|api_key|apikey|key)=)[^&\\s\"']+", Pattern.CASE_INSENSITIVE);
    private static final Pattern BEARER = Pattern.compile("(Bearer )[A-Za-z0-9._~+/=-]+");
    private static final Pattern BOT_PATH = Pattern.compile("(/bot)\\d+:[A-Za-z0-9_-]+");

    private SecretMasker() {
    }

    /** Registers a secret value; values shorter than 6 characters are ignored to keep output readable. */
    public static void register(String secret) {
        if (secret != null && secret.length() >= 6 && SECRETS.add(secret)) {
            longestFirst = SECRETS.stream().sorted(java.util.Comparator.comparingInt(String::length).reversed())
                    .toList();
        }
    }

    /**
     * {@link #mask} for a JSON text: a secret is also found as JSON writes it (a quote, a backslash or a control
     * character in it escaped).
     */
    public static String maskJson(String json) {
        String out = mask(json);
        for (String secret : longestFirst) {
            String escaped = jsonEscaped(secret);
            if (!escaped.equals(secret) && out.contains(escaped)) {
                out = out.replace(escaped, "****");
            }
        }
        return out;
    }

    private static String jsonEscaped(String s) {
        StringBuilder b = new StringBuilder(s.length() + 8);
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }

    public static String mask(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String out = text;
        for (String secret : longestFirst) {
            if (out.contains(secret)) {
                out = out.replace(secret, "****");
            }
        }
        out = CREDENTIAL_PARAM.matcher(out).replaceAll("$1****");
        out = BEARER.matcher(out).replaceAll("$1****");
        out = BOT_PATH.matcher(out).replaceAll("$1****");
        return out;
    }
}
