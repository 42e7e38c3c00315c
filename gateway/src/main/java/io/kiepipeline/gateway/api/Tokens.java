package io.kiepipeline.gateway.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** Bearer-token checks in constant time. */
public final class Tokens {
    private Tokens() {
    }

    public static boolean bearerMatches(String authorization, String expected) {
        if (authorization == null || expected == null || expected.isBlank()
                || !authorization.startsWith("Bearer ")) {
            return false;
        }
        return MessageDigest.isEqual(authorization.substring(7).trim().getBytes(StandardCharsets.UTF_8),
                expected.getBytes(StandardCharsets.UTF_8));
    }
}
