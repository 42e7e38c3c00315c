package io.kiepipeline.gateway.callbacks;

import static org.assertj.core.api.Assertions.assertThat;

import io.kiepipeline.gateway.publishing.Publisher;
import io.kiepipeline.platform.callbacks.CallbackToken;
import io.kiepipeline.schemas.GatewayEvent.CallbackReceived;
import io.kiepipeline.schemas.Message;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.springframework.http.ResponseEntity;

/**
 * Who may post a job's callback: the URL's token must be the job's and not expired; KIE's webhook signature, when the
 * operator configured its key, must match (then the callback is published as verified); result URLs must be https.
 */
class CallbackAuthenticationTest {
    private static final String SECRET = "callback-secret-123456";
    private static final String HMAC_KEY = "kie-webhook-hmac-key-123";
    private static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");

    private final List<Message> published = new CopyOnWriteArrayList<>();
    private final Publisher publisher = new Publisher(null, Duration.ofSeconds(1)) {
        @Override
        public void publish(Message message, String correlationId) {
            published.add(message);
        }
    };
    private final CallbackToken tokens = new CallbackToken(SECRET);
    private final String jobId = UUID.randomUUID().toString();
    private final String token = tokens.tokenFor(jobId, NOW.plus(Duration.ofMinutes(50)));

    @Test
    void publishesASignedCallbackAsVerified() {
        String ts = Long.toString(NOW.getEpochSecond());

        var r = controller(HMAC_KEY, false).callback(jobId, token, ts, sign("t-1", ts, HMAC_KEY),
                success("t-1", "https://tempfile.aiquickdraw.com/a.png"));

        assertThat(r.getStatusCode().value()).isEqualTo(200);
        assertThat(published).singleElement().isInstanceOfSatisfying(CallbackReceived.class,
                c -> assertThat(c.signatureVerified()).isTrue());
    }

    @Test
    void refusesACallbackWithoutSignatureHeadersWhenAKeyIsSetWith401() {
        String ts = Long.toString(NOW.getEpochSecond());
        String body = success("t-1", "https://tempfile.aiquickdraw.com/a.png");

        var neither = controller(HMAC_KEY, false).callback(jobId, token, null, null, body);
        var noSignature = controller(HMAC_KEY, false).callback(jobId, token, ts, null, body);
        var noTimestamp = controller(HMAC_KEY, false).callback(jobId, token, null, sign("t-1", ts, HMAC_KEY), body);

        assertThat(List.of(neither, noSignature, noTimestamp)).extracting(x -> x.getStatusCode().value())
                .containsOnly(401);
        assertThat(published).isEmpty();
    }

    @Test
    void refusesAWrongTokenEvenWithAGoodSignature() {
        String ts = Long.toString(NOW.getEpochSecond());

        var r = controller(HMAC_KEY, false).callback(jobId, "1.not-the-token", ts, sign("t-1", ts, HMAC_KEY),
                success("t-1", "https://tempfile.aiquickdraw.com/a.png"));

        assertThat(r.getStatusCode().value()).isEqualTo(401);
        assertThat(published).isEmpty();
    }

    @Test
    void takesACallbackOfNoKnownShapeWith200AndPublishesNothing() {
        var r = controller("", false).callback(jobId, token, null, null,
                "{\"code\":200,\"msg\":\"ok\",\"data\":{\"taskId\":\"t-1\",\"somethingNew\":1}}");

        assertThat(r.getStatusCode().value()).isEqualTo(200);
        assertThat(published).isEmpty();
    }

    @Test
    void publishesSunosProgressCallbacksAsNotFinished() {
        var r = controller("", false).callback(jobId, token, null, null,
                "{\"code\":200,\"msg\":\"Text generated\",\"data\":{\"callbackType\":\"text\","
                        + "\"task_id\":\"2fac9f72\",\"data\":[]}}");

        assertThat(r.getStatusCode().value()).isEqualTo(200);
        assertThat(published).singleElement().isInstanceOfSatisfying(CallbackReceived.class, c -> {
            assertThat(c.taskId()).isEqualTo("2fac9f72");
            assertThat(c.state().isTerminal()).isFalse();
        });
    }

    @Test
    void neverMarksACallbackVerifiedWhenNoKeyIsConfigured() {
        String ts = Long.toString(NOW.getEpochSecond());

        var r = controller("", false).callback(jobId, token, ts, sign("t-1", ts, HMAC_KEY),
                success("t-1", "https://tempfile.aiquickdraw.com/a.png"));

        assertThat(r.getStatusCode().value()).isEqualTo(200);
        assertThat(published).singleElement().isInstanceOfSatisfying(CallbackReceived.class,
                c -> assertThat(c.signatureVerified()).isFalse());
    }

    @Test
    void refusesAWrongSignatureWith401() {
        String ts = Long.toString(NOW.getEpochSecond());
        String body = success("t-1", "https://tempfile.aiquickdraw.com/a.png");

        var otherKey = controller(HMAC_KEY, false).callback(jobId, token, ts, sign("t-1", ts, "another-key-12345"),
                body);
        var otherTask = controller(HMAC_KEY, false).callback(jobId, token, ts, sign("t-2", ts, HMAC_KEY), body);
        var garbage = controller(HMAC_KEY, false).callback(jobId, token, ts, "not-a-signature", body);

        assertThat(List.of(otherKey, otherTask, garbage)).extracting(x -> x.getStatusCode().value())
                .containsOnly(401);
        assertThat(published).isEmpty();
    }

    @Test
    void refusesAStaleSignedCallbackWith401() {
        String ts = Long.toString(NOW.minus(Duration.ofMinutes(5)).minusSeconds(1).getEpochSecond());

        var r = controller(HMAC_KEY, false).callback(jobId, token, ts, sign("t-1", ts, HMAC_KEY),
                success("t-1", "https://tempfile.aiquickdraw.com/a.png"));

        assertThat(r.getStatusCode().value()).isEqualTo(401);
        assertThat(published).isEmpty();
    }

    @Test
    void refusesAnExpiredTokenWith401() {
        String expired = tokens.tokenFor(jobId, NOW.minusSeconds(1));

        var r = controller("", false).callback(jobId, expired, null, null,
                success("t-1", "https://tempfile.aiquickdraw.com/a.png"));

        assertThat(r.getStatusCode().value()).isEqualTo(401);
        assertThat(published).isEmpty();
    }

    @Test
    void refusesAnHttpResultUrlWith400UnlessAllowed() {
        String body = success("t-1", "http://cdn.example/a.png");

        ResponseEntity<Object> refused = controller("", false).callback(jobId, token, null, null, body);
        assertThat(refused.getStatusCode().value()).isEqualTo(400);
        assertThat(refused.getBody().toString()).contains("https");
        assertThat(published).isEmpty();

        assertThat(controller("", true).callback(jobId, token, null, null, body).getStatusCode().value())
                .isEqualTo(200);
        assertThat(published).hasSize(1);
    }

    private KieCallbackController controller(String hmacKey, boolean allowHttp) {
        return new KieCallbackController(publisher, tokens, Clock.fixed(NOW, ZoneOffset.UTC), hmacKey,
                Duration.ofMinutes(5), allowHttp);
    }

    private static String sign(String taskId, String ts, String key) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return Base64.getEncoder().encodeToString(mac.doFinal((taskId + "." + ts).getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String success(String taskId, String url) {
        return """
                {"code":200,"msg":"Playground task completed successfully.","data":{"taskId":"%s",
                "model":"nano-banana-pro","state":"success","param":"{}",
                "resultJson":"{\\"resultUrls\\":[\\"%s\\"]}","creditsConsumed":4}}""".formatted(taskId, url);
    }
}
