package io.kiepipeline.allinone;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * One running system shared by every end-to-end test in the JVM: starting it costs tens of seconds, and tests keep
 * out of each other's way with their own users and prompts. Timings are shortened so that polls, retries and
 * timeouts happen within a test's patience.
 */
final class TestPipeline {
    static final String API_TOKEN = "test-api-token-0123456789";
    static final String ADMIN_TOKEN = "test-admin-token-0123456789";
    static final String CALLBACK_SECRET = "test-callback-secret-0123456789";
    static final String KIE_WEBHOOK_HMAC_KEY = "test-kie-webhook-hmac-key-0123456789";
    static final java.time.Duration LATE_CATEGORY_MAX_AGE = java.time.Duration.ofSeconds(6);
    static final String KIE_KEY = "emulator-kie-key";
    static final String KIE_SECOND_KEY = "emulator-kie-key-second-account";
    /** How long the kie-worker waits for a KIE answer: short, so that a lost answer shows within a test. */
    static final java.time.Duration KIE_REQUEST_TIMEOUT = java.time.Duration.ofSeconds(2);

    private static EmbeddedPipeline pipeline;

    private TestPipeline() {
    }

    static synchronized void closeIfStarted() {
        if (pipeline != null) {
            long started = System.nanoTime();
            pipeline.close();
            pipeline = null;
            System.out.printf("pipeline stopped in %d ms%n", (System.nanoTime() - started) / 1_000_000);
        }
    }

    static synchronized EmbeddedPipeline get() {
        if (pipeline == null) {
            EmbeddedPipeline.useOneLoggingSetup();
            LogCapture.install();
            try {
                Path dir = Files.createTempDirectory("kie-pipeline-e2e");
                Map<String, String> env = new HashMap<>();
                // TEST_INFRA=testcontainers: Kafka and PostgreSQL in containers instead of in-process (TestInfra)
                TestInfra.Kind infra = TestInfra.chosen(System.getenv());
                env.putAll(TestInfra.start(infra, infra == TestInfra.Kind.TESTCONTAINERS && TestInfra.dockerAvailable()));
                env.put("API_TOKEN", API_TOKEN);
                env.put("ADMIN_TOKEN", ADMIN_TOKEN);
                env.put("CALLBACK_SECRET", CALLBACK_SECRET);
                // the KIE emulator signs its callbacks with it, and the gateway checks them
                env.put("KIE_WEBHOOK_HMAC_KEY", KIE_WEBHOOK_HMAC_KEY);
                env.put("KIE_REQUEST_TIMEOUT", KIE_REQUEST_TIMEOUT.toMillis() + "ms");
                // two KIE accounts: every job goes to one with room and credits, and stays with it
                env.put("KIE_EMULATOR_KEYS", KIE_KEY + "," + KIE_SECOND_KEY);
                env.put("KIE_CREDIT_POLL_INTERVAL", "1s");
                // text-to-video jobs time out after a few seconds here, so that a task finishing late can be seen
                env.put("JOB_MAX_AGE_TEXT_TO_VIDEO", LATE_CATEGORY_MAX_AGE.toMillis() + "ms");
                env.put("KIE_LATE_POLL_INTERVAL", "1s");
                env.put("GATEWAY_PORT", Integer.toString(EmbeddedKafka.freePort()));
                env.put("CURRENCY", "RUB");
                // off for the suite (tests reuse users freely); UsageLimitsPipelineTest turns them on
                env.put("USER_MAX_RUNNING_JOBS", "0");
                env.put("USER_REQUESTS_PER_MINUTE", "0");
                env.put("FREE_DAILY_PER_USER", "0");
                env.put("FREE_DAILY_BUDGET", "0");
                env.put("KIE_RETRY_INITIAL", "100ms");
                env.put("KIE_RETRY_MAX", "400ms");
                env.put("KIE_RETRY_ATTEMPTS", "4");
                env.put("KIE_POLL_INTERVAL", "300ms");
                env.put("KIE_POLL_MAX_INTERVAL", "1s");
                env.put("KIE_CALLBACK_GRACE", "5s");
                env.put("JOB_TIMEOUT", "60s");
                env.put("JOB_HOLD_TIMEOUT", "8s");
                env.put("JOB_RECONCILE_AFTER", "2s");
                env.put("DATABASE_LOCK_TIMEOUT", "1s");
                env.put("pipeline.retry.transient-max-interval", "1s");
                env.put("TELEGRAM_RETRY_INITIAL", "100ms");
                env.put("TELEGRAM_RETRY_MAX", "1s");
                env.put("TELEGRAM_SCHEDULER_PERIOD", "100ms");
                // Telegram's 1 s between two messages to one chat is kept by DeliveryQueueTest; here a test's chat
                // with twenty messages would wait twenty seconds for nothing it checks
                env.put("TELEGRAM_CHAT_INTERVAL", "100ms");
                // longer than the outages the delivery tests stage (20 s), far shorter than production's 24 h
                env.put("TELEGRAM_DELIVERY_PATIENCE", "90s");
                env.put("TELEGRAM_LONG_POLL_TIMEOUT", "2");
                env.put("pipeline.jobs.scheduler-period", "200ms");
                env.put("pipeline.retry.initial-interval", "100ms");
                env.put("pipeline.retry.max-interval", "500ms");
                env.put("pipeline.retry.max-attempts", "3");
                // The suite trades durability for speed (fsync off): its data is thrown away after the run.
                pipeline = EmbeddedPipeline.start(new EmbeddedPipeline.Options(dir, env, 0, 0, 0, 0, 300, false));
            } catch (Exception e) {
                throw new IllegalStateException("the pipeline did not start", e);
            }
        }
        return pipeline;
    }
}
