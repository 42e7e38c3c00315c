package io.kiepipeline.emulators;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs both emulators standalone, e.g. as their own OS process in cluster mode:
 * {@code java -cp … io.kiepipeline.emulators.EmulatorsMain [kiePort] [telegramPort]}. Configured from the
 * environment; positional arguments override the ports.
 * <ul>
 *   <li>{@code KIE_EMULATOR_PORT} (default 9001), {@code TELEGRAM_EMULATOR_PORT} (default 9002)</li>
 *   <li>{@code KIE_API_KEY} (default {@code emulator-kie-key}), {@code TELEGRAM_BOT_TOKEN} (default
 *       {@code 123456:emulator-bot-token})</li>
 *   <li>{@code KIE_EMULATOR_DELAY_MS}: how long a task runs (default 2000)</li>
 *   <li>{@code KIE_EMULATOR_CREATE_LATENCY_MS}, {@code TELEGRAM_EMULATOR_SEND_LATENCY_MS}: how long createTask and
 *   each send take to answer (default 0), for benchmarks where KIE's or Telegram's time dominates</li>
 *   <li>{@code KIE_WEBHOOK_HMAC_KEY}: when set, callbacks are signed with it</li>
 *   <li>{@code KIE_EMULATOR_RATE_LIMIT}: the createTask rate window, {@code N/Ms} or {@code N/Mms} (like
 *       {@code 20/10s}); empty or absent: no limit</li>
 * </ul>
 * The key, the token and the HMAC key are never printed.
 */
public final class EmulatorsMain {
    private static final Pattern RATE = Pattern.compile("\\s*(\\d+)\\s*/\\s*(\\d+)\\s*(s|ms)\\s*");

    /** The createTask rate window: at most {@code maxTasks} new tasks per {@code window}. */
    record RateLimit(int maxTasks, Duration window) {
    }

    /** What the emulators run with. */
    record Config(int kiePort, int telegramPort, String kieApiKey, String botToken, long kieDelayMs,
                  String webhookHmacKey, RateLimit rateLimit, long createTaskLatencyMs, long sendLatencyMs) {
        @Override
        public String toString() {
            return "Config[kiePort=" + kiePort + ", telegramPort=" + telegramPort + ", kieDelayMs=" + kieDelayMs
                    + ", signed=" + (webhookHmacKey != null) + ", rateLimit=" + rateLimit + ", createTaskLatencyMs="
                    + createTaskLatencyMs + ", sendLatencyMs=" + sendLatencyMs + "]";
        }
    }

    /** Both emulators, running. */
    record Running(KieEmulator kie, TelegramEmulator telegram) implements AutoCloseable {
        @Override
        public void close() {
            kie.close();
            telegram.close();
        }
    }

    private EmulatorsMain() {
    }

    public static void main(String[] args) throws Exception {
        Running running = start(config(System.getenv(), args));
        System.out.println("KIE emulator:      " + running.kie().baseUrl());
        System.out.println("Telegram emulator: " + running.telegram().baseUrl());
        Runtime.getRuntime().addShutdownHook(new Thread(running::close));
        Thread.currentThread().join();
    }

    /** The configuration from the environment, the positional ports overriding it. */
    static Config config(Map<String, String> env, String[] args) {
        int kiePort = args.length > 0 ? Integer.parseInt(args[0]) : intOf(env, "KIE_EMULATOR_PORT", 9001);
        int tgPort = args.length > 1 ? Integer.parseInt(args[1]) : intOf(env, "TELEGRAM_EMULATOR_PORT", 9002);
        String hmac = env.get("KIE_WEBHOOK_HMAC_KEY");
        return new Config(kiePort, tgPort, env.getOrDefault("KIE_API_KEY", "emulator-kie-key"),
                env.getOrDefault("TELEGRAM_BOT_TOKEN", "123456:emulator-bot-token"),
                Long.parseLong(env.getOrDefault("KIE_EMULATOR_DELAY_MS", "2000").trim()), hmac == null || hmac.isBlank() ? null : hmac,
                rateLimit(env.get("KIE_EMULATOR_RATE_LIMIT")), intOf(env, "KIE_EMULATOR_CREATE_LATENCY_MS", 0),
                intOf(env, "TELEGRAM_EMULATOR_SEND_LATENCY_MS", 0));
    }

    /** Starts both emulators as configured. */
    static Running start(Config config) throws IOException {
        KieEmulator kie = KieEmulator.start(config.kiePort(), config.kieApiKey(), config.kieDelayMs());
        kie.signCallbacksWith(config.webhookHmacKey());
        if (config.rateLimit() != null) {
            kie.limitCreateTask(config.rateLimit().maxTasks(), config.rateLimit().window());
        }
        kie.answerCreateTaskAfter(Duration.ofMillis(config.createTaskLatencyMs()));
        try {
            TelegramEmulator telegram = TelegramEmulator.start(config.telegramPort(), config.botToken());
            telegram.answerSendsAfter(Duration.ofMillis(config.sendLatencyMs()));
            return new Running(kie, telegram);
        } catch (IOException | RuntimeException e) {
            kie.close();
            throw e;
        }
    }

    /** {@code N/Ms} or {@code N/Mms}; null for empty or absent (no limit). */
    static RateLimit rateLimit(String spec) {
        if (spec == null || spec.isBlank()) {
            return null;
        }
        Matcher m = RATE.matcher(spec);
        if (!m.matches()) {
            throw new IllegalArgumentException("KIE_EMULATOR_RATE_LIMIT is N/Ms or N/Mms (like 20/10s), not " + spec);
        }
        long amount = Long.parseLong(m.group(2));
        return new RateLimit(Integer.parseInt(m.group(1)),
                "s".equals(m.group(3)) ? Duration.ofSeconds(amount) : Duration.ofMillis(amount));
    }

    private static int intOf(Map<String, String> env, String name, int otherwise) {
        String v = env.get(name);
        return v == null || v.isBlank() ? otherwise : Integer.parseInt(v.trim());
    }
}
