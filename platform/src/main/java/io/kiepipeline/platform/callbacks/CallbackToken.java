package io.kiepipeline.platform.callbacks;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The token in a job's callBackUrl: {@code base64url(HMAC-SHA256(jobId, CALLBACK_SECRET))}. The kie-worker writes it
 * into the URL at submission; the gateway checks it in constant time. A forged or replayed-for-another-job callback
 * fails the check. (KIE's own optional webhook signature covers only taskId and timestamp, and is not always sent.)
 */
public final class CallbackToken {
    private final byte[] secret;

    public CallbackToken(String secret) {
        if (secret == null || secret.length() < 16) {
            throw new IllegalArgumentException("CALLBACK_SECRET must be at least 16 characters");
        }
        this.secret = secret.getBytes(StandardCharsets.UTF_8);
    }

    public String tokenFor(String jobId) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(mac.doFinal(jobId.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
    }

    public boolean verify(String jobId, String token) {
        if (token == null || jobId == null) {
            return false;
        }
        return MessageDigest.isEqual(tokenFor(jobId).getBytes(StandardCharsets.UTF_8),
                token.getBytes(StandardCharsets.UTF_8));
    }
}
