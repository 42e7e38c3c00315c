package io.kiepipeline.emulators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EmulatorsMainTest {
    private final TestHttp http = new TestHttp();

    @Test
    void withoutEnvironmentTheDefaultsApply() {
        EmulatorsMain.Config c = EmulatorsMain.config(Map.of(), new String[0]);
        assertThat(c.kiePort()).isEqualTo(9001);
        assertThat(c.telegramPort()).isEqualTo(9002);
        assertThat(c.kieApiKey()).isEqualTo("emulator-kie-key");
        assertThat(c.botToken()).isEqualTo("123456:emulator-bot-token");
        assertThat(c.kieDelayMs()).isEqualTo(2000);
        assertThat(c.webhookHmacKey()).isNull();
        assertThat(c.rateLimit()).isNull();
    }

    @Test
    void theEnvironmentConfiguresAndPositionalArgumentsOverrideThePorts() {
        Map<String, String> env = Map.of("KIE_EMULATOR_PORT", "7001", "TELEGRAM_EMULATOR_PORT", "7002",
                "KIE_API_KEY", "k", "TELEGRAM_BOT_TOKEN", "1:t", "KIE_EMULATOR_DELAY_MS", "150",
                "KIE_WEBHOOK_HMAC_KEY", "hmac", "KIE_EMULATOR_RATE_LIMIT", "20/10s");
        EmulatorsMain.Config c = EmulatorsMain.config(env, new String[0]);
        assertThat(c).extracting("kiePort", "telegramPort", "kieApiKey", "botToken", "kieDelayMs",
                "webhookHmacKey").containsExactly(7001, 7002, "k", "1:t", 150L, "hmac");
        assertThat(c.rateLimit()).isEqualTo(new EmulatorsMain.RateLimit(20, Duration.ofSeconds(10)));

        EmulatorsMain.Config overridden = EmulatorsMain.config(env, new String[] {"8001", "8002"});
        assertThat(overridden.kiePort()).isEqualTo(8001);
        assertThat(overridden.telegramPort()).isEqualTo(8002);
    }

    @Test
    void theConfigNeverShowsTheSecrets() {
        EmulatorsMain.Config c = EmulatorsMain.config(Map.of("KIE_API_KEY", "secret-key",
                "TELEGRAM_BOT_TOKEN", "1:secret-token", "KIE_WEBHOOK_HMAC_KEY", "secret-hmac"), new String[0]);
        assertThat(c.toString()).doesNotContain("secret");
    }

    @Test
    void theRateLimitIsMaxTasksPerSecondsOrMilliseconds() {
        assertThat(EmulatorsMain.rateLimit("20/10s")).isEqualTo(new EmulatorsMain.RateLimit(20, Duration.ofSeconds(10)));
        assertThat(EmulatorsMain.rateLimit("5/500ms")).isEqualTo(new EmulatorsMain.RateLimit(5, Duration.ofMillis(500)));
        assertThat(EmulatorsMain.rateLimit("")).isNull();
        assertThat(EmulatorsMain.rateLimit(null)).isNull();
        assertThatThrownBy(() -> EmulatorsMain.rateLimit("20 per 10s")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EmulatorsMain.rateLimit("20/10m")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void startedEmulatorsHaveTheConfiguredRateWindow() throws Exception {
        EmulatorsMain.Config c = EmulatorsMain.config(Map.of("KIE_EMULATOR_RATE_LIMIT", "20/10s",
                "KIE_WEBHOOK_HMAC_KEY", "h"), new String[] {"0", "0"});
        try (EmulatorsMain.Running running = EmulatorsMain.start(c)) {
            var rate = http.get(running.kie().baseUrl() + "/control/rate").json();
            assertThat(rate.path("maxTasks").asInt()).isEqualTo(20);
            assertThat(rate.path("windowMs").asLong()).isEqualTo(10_000);
            assertThat(http.get(running.telegram().baseUrl() + "/control/sent/count").json().path("count").asInt())
                    .isZero();
        }
    }
}
