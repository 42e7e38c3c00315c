package io.kiepipeline.gateway.callbacks;

import io.kiepipeline.gateway.publishing.Publisher;
import io.kiepipeline.platform.callbacks.CallbackToken;
import io.kiepipeline.platform.kie.KieTaskData;
import io.kiepipeline.schemas.GatewayEvent.CallbackReceived;
import io.kiepipeline.schemas.JobId;
import io.kiepipeline.schemas.KieTaskState;
import io.kiepipeline.schemas.MessageCodec;
import java.time.Clock;
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
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * KIE's callbacks ({@code POST /kie/callback/{jobId}?token=…}). The token is the job's HMAC: a wrong one is 401 and
 * nothing is published. A body that is not a KIE Market callback is 400. Otherwise the callback is published as
 * {@code CallbackReceived} and answered {@code 200 {"code":200,"msg":"success"}} once Kafka acked it; 503 when Kafka
 * is down, so that KIE retries. Duplicates are welcome: the orchestrator's saga ignores them.
 */
@RestController
class KieCallbackController {
    private static final Logger log = LoggerFactory.getLogger(KieCallbackController.class);

    private final Publisher publisher;
    private final CallbackToken tokens;
    private final Clock clock;

    KieCallbackController(Publisher publisher, CallbackToken tokens, Clock clock) {
        this.publisher = publisher;
        this.tokens = tokens;
        this.clock = clock;
    }

    @PostMapping("/kie/callback/{jobId}")
    ResponseEntity<Object> callback(@PathVariable String jobId,
                                    @RequestParam(value = "token", required = false) String token,
                                    @RequestBody(required = false) String body) {
        JobId job;
        try {
            job = new JobId(UUID.fromString(jobId));
        } catch (IllegalArgumentException e) {
            return answer(HttpStatus.UNAUTHORIZED, 401, "unknown callback");
        }
        if (!tokens.verify(job.toString(), token)) {
            log.atWarn().addKeyValue("jobId", jobId).log("callback.refused; bad or missing token");
            return answer(HttpStatus.UNAUTHORIZED, 401, "bad callback token");
        }
        CallbackReceived received;
        try {
            received = parse(job, body);
        } catch (MalformedCallback e) {
            log.atWarn().addKeyValue("jobId", jobId).addKeyValue("reason", e.getMessage())
                    .log("callback.refused; malformed body");
            return answer(HttpStatus.BAD_REQUEST, 400, "malformed callback: " + e.getMessage());
        }
        try {
            publisher.publish(received, jobId);
        } catch (Publisher.Unavailable e) {
            log.atError().addKeyValue("jobId", jobId).setCause(e).log("callback.not-accepted; Kafka unavailable");
            return answer(HttpStatus.SERVICE_UNAVAILABLE, 503, "unavailable, retry later");
        }
        log.atInfo().addKeyValue("jobId", jobId).addKeyValue("taskId", received.taskId())
                .addKeyValue("state", received.state().wire()).log("callback.received");
        return answer(HttpStatus.OK, 200, "success");
    }

    /** Reads a Market callback: {@code {code, msg, data:{taskId, state, resultJson, failCode, failMsg, ...}}}. */
    CallbackReceived parse(JobId jobId, String body) throws MalformedCallback {
        if (body == null || body.isBlank()) {
            throw new MalformedCallback("empty body");
        }
        JsonNode root;
        try {
            root = MessageCodec.mapper().readTree(body);
        } catch (JacksonException e) {
            throw new MalformedCallback("not JSON");
        }
        JsonNode data = root == null ? null : root.get("data");
        if (data == null || !data.isObject()) {
            throw new MalformedCallback("no data object");
        }
        String taskId = KieTaskData.taskId(data);
        if (taskId == null) {
            throw new MalformedCallback("no data.taskId");
        }
        KieTaskState state;
        try {
            state = KieTaskState.fromWire(KieTaskData.text(data, "state"));
        } catch (IllegalArgumentException e) {
            throw new MalformedCallback(e.getMessage());
        }
        List<String> urls;
        try {
            urls = KieTaskData.resultUrls(data);
        } catch (IllegalArgumentException e) {
            throw new MalformedCallback(e.getMessage());
        }
        Long credits = KieTaskData.credits(data);
        return new CallbackReceived(jobId, taskId, state, urls, KieTaskData.text(data, "failCode"),
                KieTaskData.text(data, "failMsg"),
                credits, clock.instant(), body.length() > 20_000 ? body.substring(0, 20_000) : body, false);
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
