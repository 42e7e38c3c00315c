package io.kiepipeline.gateway.callbacks;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * KIE's optional webhook signature (kie-api.md §4.3): with a {@code webhookHmacKey} set on KIE's settings page, every
 * callback carries {@code X-Webhook-Timestamp} (Unix seconds) and {@code X-Webhook-Signature} =
 * {@code base64(HMAC-SHA256(taskId + "." + timestamp, key))}. It signs the task id, not the body, so it proves that
 * KIE sent a callback about that task at that time; the orchestrator still confirms a success by polling unless it is
 * signed. A timestamp further than {@code maxSkew} from our clock is refused, so a captured callback cannot be replayed
 * later.
 */
final class WebhookSignature {
    /** What the headers say. */
    enum Verdict {
        /** No key configured: published with signatureVerified=false. */
        UNSIGNED,
        /** A signature by the configured key over this task id and a fresh timestamp. */
        VERIFIED,
        /**
         * With a key configured: no signature or timestamp header, a signature that does not match, or a timestamp
         * that is unreadable or too far from now: 401.
         */
        INVALID
    }

    private final byte[] key;
    private final Duration maxSkew;

    /** @param key the operator's KIE_WEBHOOK_HMAC_KEY; blank means signatures are not checked */
    WebhookSignature(String key, Duration maxSkew) {
        this.key = key == null || key.isBlank() ? null : key.getBytes(StandardCharsets.UTF_8);
        this.maxSkew = maxSkew;
    }

    boolean enabled() {
        return key != null;
    }

    Verdict check(String taskId, String timestamp, String signature, Instant now) {
        if (key == null) {
            return Verdict.UNSIGNED;
        }
        // with the key set on KIE's settings page, KIE signs every callback: one without the headers is not KIE's
        if (signature == null || signature.isBlank() || timestamp == null || timestamp.isBlank()) {
            return Verdict.INVALID;
        }
        long sentAt;
        try {
            sentAt = Long.parseLong(timestamp.trim());
        } catch (NumberFormatException e) {
            return Verdict.INVALID;
        }
        boolean matches = MessageDigest.isEqual(sign(taskId, timestamp.trim()).getBytes(StandardCharsets.UTF_8),
                signature.trim().getBytes(StandardCharsets.UTF_8));
        boolean fresh = Math.abs(now.getEpochSecond() - sentAt) <= maxSkew.toSeconds();
        return matches && fresh ? Verdict.VERIFIED : Verdict.INVALID;
    }

    /** The signature KIE would send; also used by tests and the emulator's twin of this code. */
    String sign(String taskId, String timestamp) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return Base64.getEncoder().encodeToString(
                    mac.doFinal((taskId + "." + timestamp).getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
