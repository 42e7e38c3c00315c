package io.kiepipeline.gateway.callbacks;

import io.kiepipeline.gateway.publishing.Publisher;
import io.kiepipeline.platform.callbacks.CallbackToken;
import io.kiepipeline.platform.kie.KieReports;
import io.kiepipeline.schemas.GatewayEvent.CallbackReceived;
import io.kiepipeline.schemas.JobId;
import io.kiepipeline.schemas.KieTaskState;
import io.kiepipeline.schemas.MessageCodec;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * KIE's callbacks ({@code POST /kie/callback/{jobId}?token=…}) of every API family. The token is the job's HMAC with
 * an expiry, required always: a wrong, missing or expired one is 401 and nothing is published. A body that is not JSON
 * is 400, and so is a result URL that is not https (unless {@code allow-http-result-urls}, for the emulators); JSON of
 * no known shape is answered 200 and logged, nothing published (KIE would retry a refusal for ever; the job's polling
 * decides). When the operator set {@code KIE_WEBHOOK_HMAC_KEY}, KIE signs every callback: a missing
 * {@code X-Webhook-Timestamp} or {@code X-Webhook-Signature}, a signature that does not match (compared in constant
 * time) or a timestamp more than {@code KIE_WEBHOOK_MAX_SKEW} (5 minutes) from our clock is 401; a good one is
 * published as {@code signatureVerified=true}. Without a key, callbacks are published as not verified, and the
 * orchestrator confirms a result by polling before it moves money. A published callback is answered
 * {@code 200 {"code":200,"msg":"success"}} once Kafka acked it; 503 when Kafka is down, so that KIE retries.
 * Duplicates are welcome: the orchestrator's saga ignores them.
 */
@RestController
class KieCallbackController {
    private static final Logger log = LoggerFactory.getLogger(KieCallbackController.class);

    private final Publisher publisher;
    private final CallbackToken tokens;
    private final Clock clock;
    private final WebhookSignature signature;
    private final boolean allowHttpResultUrls;

    @org.springframework.beans.factory.annotation.Autowired
    KieCallbackController(Publisher publisher, CallbackToken tokens, Clock clock,
                          io.kiepipeline.gateway.GatewaySettings settings) {
        this(publisher, tokens, clock, settings.kieWebhookHmacKey(), settings.webhookMaxSkew(),
                settings.allowHttpResultUrls());
    }

    KieCallbackController(Publisher publisher, CallbackToken tokens, Clock clock, String webhookHmacKey,
                          Duration webhookMaxSkew, boolean allowHttpResultUrls) {
        this.publisher = publisher;
        this.tokens = tokens;
        this.clock = clock;
        this.signature = new WebhookSignature(webhookHmacKey, webhookMaxSkew);
        this.allowHttpResultUrls = allowHttpResultUrls;
    }

    @PostMapping("/kie/callback/{jobId}")
    ResponseEntity<Object> callback(@PathVariable String jobId,
                                    @RequestParam(value = "token", required = false) String token,
                                    @RequestHeader(value = "X-Webhook-Timestamp", required = false) String timestamp,
                                    @RequestHeader(value = "X-Webhook-Signature", required = false) String signed,
                                    @RequestBody(required = false) String body) {
        JobId job;
        try {
            job = new JobId(UUID.fromString(jobId));
        } catch (IllegalArgumentException e) {
            return answer(HttpStatus.UNAUTHORIZED, 401, "unknown callback");
        }
        if (!tokens.verify(job.toString(), token, clock.instant())) {
            log.atWarn().addKeyValue("jobId", jobId).log("callback.refused; bad, expired or missing token");
            return answer(HttpStatus.UNAUTHORIZED, 401, "bad callback token");
        }
        CallbackReceived received;
        try {
            received = parse(job, body);
        } catch (MalformedCallback e) {
            log.atWarn().addKeyValue("jobId", jobId).addKeyValue("reason", e.getMessage())
                    .log("callback.refused; malformed body");
            return answer(HttpStatus.BAD_REQUEST, 400, "malformed callback: " + e.getMessage());
        } catch (KieReports.Unreadable e) {
            // Valid JSON of a shape we do not know (a new KIE family or field): refusing it would make KIE retry it
            // for ever, and it proves nothing. Taken, logged, not published: the job's polling decides.
            log.atWarn().addKeyValue("jobId", jobId).addKeyValue("reason", e.getMessage())
                    .addKeyValue("body", body.length() > 500 ? body.substring(0, 500) : body)
                    .log("callback.unknown-shape; answered 200, nothing published, polling decides");
            return answer(HttpStatus.OK, 200, "success");
        }
        WebhookSignature.Verdict verdict = signature.check(received.taskId(), timestamp, signed, clock.instant());
        String task = received.taskId();
        received = switch (verdict) {
            case VERIFIED -> verified(received);
            case UNSIGNED -> received;
            case INVALID -> null;
        };
        if (received == null) {
            log.atWarn().addKeyValue("jobId", jobId).addKeyValue("taskId", task)
                    .log("callback.refused; missing, bad or stale webhook signature");
            return answer(HttpStatus.UNAUTHORIZED, 401, "bad webhook signature");
        }
        try {
            // the job's id as every other message names it (the path's spelling may differ: upper case, say)
            publisher.publish(received, job.toString());
        } catch (Publisher.Unavailable e) {
            log.atError().addKeyValue("jobId", jobId).setCause(e).log("callback.not-accepted; Kafka unavailable");
            return answer(HttpStatus.SERVICE_UNAVAILABLE, 503, "unavailable, retry later");
        }
        log.atInfo().addKeyValue("jobId", jobId).addKeyValue("taskId", received.taskId())
                .addKeyValue("state", received.state().wire())
                .addKeyValue("signatureVerified", received.signatureVerified()).log("callback.received");
        return answer(HttpStatus.OK, 200, "success");
    }

    /**
     * Reads a callback of any KIE API family ({@link KieReports#fromCallback}). Not JSON, or a result URL that is not
     * https, is {@link MalformedCallback} (400); JSON of no known shape is {@link KieReports.Unreadable} (200, logged:
     * KIE must not retry it for ever, and the job's own polling decides).
     */
    CallbackReceived parse(JobId jobId, String body) throws MalformedCallback, KieReports.Unreadable {
        if (body == null || body.isBlank()) {
            throw new MalformedCallback("empty body");
        }
        JsonNode root;
        try {
            root = MessageCodec.mapper().readTree(body);
        } catch (JacksonException e) {
            throw new MalformedCallback("not JSON");
        }
        if (root == null || !root.isObject()) {
            throw new KieReports.Unreadable("not a JSON object");
        }
        KieReports.Report report = KieReports.fromCallback(root);
        for (String url : report.resultUrls()) {
            if (!allowHttpResultUrls && !url.regionMatches(true, 0, "https://", 0, 8)) {
                throw new MalformedCallback("result URL is not https");
            }
        }
        return new CallbackReceived(jobId, report.taskId(), report.state(), report.resultUrls(), report.failCode(),
                report.failMessage(), report.creditsConsumed(), clock.instant(),
                body.length() > 20_000 ? body.substring(0, 20_000) : body, false);
    }

    private static CallbackReceived verified(CallbackReceived r) {
        return new CallbackReceived(r.jobId(), r.taskId(), r.state(), r.resultUrls(), r.failCode(), r.failMessage(),
                r.creditsConsumed(), r.receivedAt(), r.raw(), true);
    }

    private static ResponseEntity<Object> answer(HttpStatus status, int code, String msg) {
        return ResponseEntity.status(status).body(Map.of("code", code, "msg", msg));
    }

    static final class MalformedCallback extends Exception {
        MalformedCallback(String message) {
            super(message);
        }
    }
}
