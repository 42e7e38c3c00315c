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

/** A service started for a real deployment without what it needs stops at once, naming the variable. */
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
