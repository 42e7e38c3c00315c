package io.kiepipeline.allinone;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kiepipeline.allinone.EmbeddedPipeline.Service;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.Banner;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

/**
 * A service started for a real deployment without what it needs, or with a value it cannot use, stops at once, naming
 * the variable, the value (never a secret's) and the rule.
 */
class MissingSettingsTest {
    private static final Map<String, Object> INFRASTRUCTURE = Map.of(
            "KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:1", "DATABASE_URL", "jdbc:postgresql://127.0.0.1:1/none",
            "DATABASE_USER", "nobody");

    @Test
    void kieWorkerStopsWithoutTheKieKey() {
        assertThatThrownBy(() -> start(Service.KIE_WORKER, INFRASTRUCTURE))
                .rootCause().hasMessageContaining("kie-worker cannot start").hasMessageContaining("KIE_API_KEY")
                .hasMessageNotContaining("DATABASE_URL");
    }

    @Test
    void kieWorkerInCallbackModeStopsWithoutTheCallbackSecret() {
        Map<String, Object> env = new HashMap<>(INFRASTRUCTURE);
        env.put("KIE_API_KEY", "some-key");
        env.put("PUBLIC_BASE_URL", "https://bot.example.org");
        assertThatThrownBy(() -> start(Service.KIE_WORKER, env)).rootCause().hasMessageContaining("CALLBACK_SECRET");
    }

    @Test
    void ledgerStopsWithoutTheDatabase() {
        assertThatThrownBy(() -> start(Service.LEDGER, Map.of("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:1")))
                .rootCause().hasMessageContaining("DATABASE_URL").hasMessageContaining("DATABASE_USER");
    }

    @Test
    void gatewayStopsWithoutItsTokens() {
        assertThatThrownBy(() -> start(Service.GATEWAY, Map.of("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:1")))
                .rootCause().hasMessageContaining("API_TOKEN").hasMessageContaining("ADMIN_TOKEN")
                .hasMessageContaining("CALLBACK_SECRET");
    }

    @Test
    void deliveryWorkerStopsWithoutTheBotToken() {
        assertThatThrownBy(() -> start(Service.DELIVERY_WORKER, INFRASTRUCTURE))
                .rootCause().hasMessageContaining("TELEGRAM_BOT_TOKEN");
    }

    @Test
    void aBadValueStopsTheStartNamingTheVariableTheValueAndTheRule() {
        Map<String, Object> delivery = new HashMap<>(INFRASTRUCTURE);
        delivery.put("TELEGRAM_BOT_TOKEN", "7000000001:token");
        assertThatThrownBy(() -> start(Service.DELIVERY_WORKER, with(delivery, "TELEGRAM_SENDERS", "0")))
                .rootCause().hasMessage("TELEGRAM_SENDERS=\"0\": pipeline.telegram.senders must be 1 to 256");
        assertThatThrownBy(() -> start(Service.DELIVERY_WORKER, with(delivery, "TELEGRAM_RETRY_MAX", "ten minutes")))
                .rootCause().hasMessageContaining("TELEGRAM_RETRY_MAX=\"ten minutes\": pipeline.telegram.retry-max")
                .hasMessageContaining("must be a duration such as 500ms, 30s");
        assertThatThrownBy(() -> start(Service.DELIVERY_WORKER, with(delivery, "TELEGRAM_CHAT_INTERVAL", "-1s")))
                .rootCause().hasMessageContaining("TELEGRAM_CHAT_INTERVAL=\"-1s\": pipeline.telegram.rate.chat-interval"
                        + " must not be negative");

        Map<String, Object> kie = with(INFRASTRUCTURE, "KIE_API_KEY", "some-key");
        assertThatThrownBy(() -> start(Service.KIE_WORKER, with(kie, "KIE_REQUEST_TIMEOUT", "2h")))
                .rootCause().hasMessage("KIE_REQUEST_TIMEOUT=\"2h\": pipeline.kie.request-timeout must be 100ms to 5m");
        assertThatThrownBy(() -> start(Service.KIE_WORKER, with(kie, "KIE_RATE_LIMIT_REQUESTS", "twenty")))
                .rootCause().hasMessageContaining("KIE_RATE_LIMIT_REQUESTS=\"twenty\"")
                .hasMessageContaining("must be a whole number");

        assertThatThrownBy(() -> start(Service.ORCHESTRATOR, with(INFRASTRUCTURE, "USER_MAX_RUNNING_JOBS", "-1")))
                .rootCause().hasMessage("USER_MAX_RUNNING_JOBS=\"-1\": pipeline.limits.max-running-per-user must be 0"
                        + " (no limit) or more");
        assertThatThrownBy(() -> start(Service.ORCHESTRATOR, with(INFRASTRUCTURE, "JOB_MAX_AGE_AUDIO", "0s")))
                .rootCause().hasMessageContaining("JOB_MAX_AGE_AUDIO=\"0s\": pipeline.jobs.max-age.audio must be more"
                        + " than zero");
        assertThatThrownBy(() -> start(Service.LEDGER, with(INFRASTRUCTURE, "CURRENCY", "rub")))
                .rootCause().hasMessageContaining("CURRENCY=\"rub\": pipeline.currency must be an ISO 4217 code");

        Map<String, Object> bot = with(INFRASTRUCTURE, "TELEGRAM_BOT_TOKEN", "7000000001:token");
        assertThatThrownBy(() -> start(Service.BOT, with(bot, "BOT_BROADCAST_PER_SECOND", "31")))
                .rootCause().hasMessage("BOT_BROADCAST_PER_SECOND=\"31\": pipeline.bot.broadcast-per-second must be 1 to"
                        + " 30 (Telegram's own limit)");
        assertThatThrownBy(() -> start(Service.BOT, with(bot, "ADMIN_USER_IDS", "42,alice")))
                .rootCause().hasMessageContaining("ADMIN_USER_IDS=\"42,alice\": pipeline.bot.admin-user-ids must be"
                        + " Telegram user ids");

        assertThatThrownBy(() -> start(Service.ANALYTICS, Map.of("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:1",
                "ANALYTICS_GRACE", "-1h"))).rootCause()
                .hasMessage("ANALYTICS_GRACE=\"-1h\": pipeline.analytics.grace must not be negative");
    }

    @Test
    void aSecretThatBreaksItsRuleIsNamedButNeverShown() {
        Map<String, Object> gateway = new HashMap<>(Map.of("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:1",
                "API_TOKEN", "short-secret", "ADMIN_TOKEN", "admin-token-0123456789",
                "CALLBACK_SECRET", "callback-secret-0123456789", "TELEGRAM_POLLING_ENABLED", "false"));
        assertThatThrownBy(() -> start(Service.GATEWAY, gateway)).rootCause()
                .hasMessage("API_TOKEN=(a secret of 12 characters): pipeline.gateway.api-token must be at least 16"
                        + " characters (a guessable token opens the API)")
                .hasMessageNotContaining("short-secret");
        gateway.put("API_TOKEN", "admin-token-0123456789");
        assertThatThrownBy(() -> start(Service.GATEWAY, gateway)).rootCause()
                .hasMessageContaining("ADMIN_TOKEN=(a secret of 22 characters): pipeline.gateway.admin-token must"
                        + " differ from API_TOKEN").hasMessageNotContaining("admin-token-0123456789");
    }

    private static Map<String, Object> with(Map<String, Object> base, String name, String value) {
        Map<String, Object> env = new HashMap<>(base);
        env.put(name, value);
        return env;
    }

    private static void start(Service service, Map<String, Object> variables) {
        Map<String, Object> props = new HashMap<>(variables);
        props.put("spring.config.name", service.configName);
        props.put("server.port", "0");
        StandardEnvironment env = new StandardEnvironment();
        env.getPropertySources().addFirst(new MapPropertySource("test", props));
        new SpringApplicationBuilder(service.application).environment(env).bannerMode(Banner.Mode.OFF)
                .registerShutdownHook(false).run().close();
    }
}
