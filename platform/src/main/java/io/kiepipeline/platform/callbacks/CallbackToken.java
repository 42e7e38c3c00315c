package io.kiepipeline.platform.callbacks;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The token in a job's callBackUrl: {@code <expiry>.<base64url(HMAC-SHA256(jobId + "." + expiry, CALLBACK_SECRET))>},
 * where {@code expiry} is in Unix seconds. The kie-worker writes it into the URL at submission, expiring some time
 * after the job's own deadline (KIE retries a callback for about 20 minutes); the gateway checks it in constant time.
 * A forged token, a token of another job, or one past its expiry fails the check, so a leaked URL stops working once
 * its job is over. (KIE's own optional webhook signature covers only taskId and timestamp, and is not always sent.)
 */
public final class CallbackToken {
    private final byte[] secret;

    public CallbackToken(String secret) {
        if (secret == null || secret.length() < 16) {
            throw new IllegalArgumentException("CALLBACK_SECRET must be at least 16 characters");
        }
        this.secret = secret.getBytes(StandardCharsets.UTF_8);
    }

    /** The token that opens the job's callback until {@code expiresAt} (to the second). */
    public String tokenFor(String jobId, Instant expiresAt) {
        long expiry = expiresAt.getEpochSecond();
        return expiry + "." + mac(jobId + "." + expiry);
    }

    /** True when the token was made for this job with this secret and its expiry is not before {@code now}. */
    public boolean verify(String jobId, String token, Instant now) {
        if (token == null || jobId == null) {
            return false;
        }
        int dot = token.indexOf('.');
        if (dot <= 0 || dot > 19) {
            return false;
        }
        long expiry;
        try {
            expiry = Long.parseLong(token.substring(0, dot));
        } catch (NumberFormatException e) {
            return false;
        }
        // the MAC is checked before the expiry, so that a forged token and an expired one take the same time
        boolean authentic = MessageDigest.isEqual(mac(jobId + "." + expiry).getBytes(StandardCharsets.UTF_8),
                token.substring(dot + 1).getBytes(StandardCharsets.UTF_8));
        return authentic && now.getEpochSecond() <= expiry;
    }

    private String mac(String text) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
    }
}
