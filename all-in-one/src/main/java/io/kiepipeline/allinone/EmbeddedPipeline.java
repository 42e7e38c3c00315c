package io.kiepipeline.allinone;

import io.kiepipeline.delivery.DeliveryWorkerApplication;
import io.kiepipeline.emulators.KieEmulator;
import io.kiepipeline.emulators.TelegramEmulator;
import io.kiepipeline.gateway.GatewayApplication;
import io.kiepipeline.kieworker.KieWorkerApplication;
import io.kiepipeline.ledger.LedgerApplication;
import io.kiepipeline.orchestrator.OrchestratorApplication;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.Banner;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

/**
 * The whole system in one JVM: embedded PostgreSQL, an in-process KRaft broker, the seven services (each its own
 * Spring Boot context, exactly as it runs alone) and, where no real credentials are given, the KIE and Telegram
 * emulators in place of the outside world.
 */
public final class EmbeddedPipeline implements AutoCloseable {
    /** The services, in the order they start (readers before the gateway that asks them). */
    public enum Service {
        LEDGER(LedgerApplication.class, LedgerApplication.CONFIG_NAME),
        ORCHESTRATOR(OrchestratorApplication.class, OrchestratorApplication.CONFIG_NAME),
        KIE_WORKER(KieWorkerApplication.class, KieWorkerApplication.CONFIG_NAME),
        DELIVERY_WORKER(DeliveryWorkerApplication.class, DeliveryWorkerApplication.CONFIG_NAME),
        BOT(io.kiepipeline.bot.BotApplication.class, io.kiepipeline.bot.BotApplication.CONFIG_NAME),
        ANALYTICS(io.kiepipeline.analytics.AnalyticsApplication.class,
                io.kiepipeline.analytics.AnalyticsApplication.CONFIG_NAME),
        GATEWAY(GatewayApplication.class, GatewayApplication.CONFIG_NAME);

        final Class<?> application;
        final String configName;

        Service(Class<?> application, String configName) {
            this.application = application;
            this.configName = configName;
        }
    }

    /**
     * How to run.
     *
     * @param dataDir       where PostgreSQL and Kafka keep their data (kept between runs)
     * @param environment   the variables every service sees (tokens, URLs, timings); embedded infrastructure
     *                      addresses are added here
     * @param kiePort       the KIE emulator's port (0: any), when it runs
     * @param telegramPort  the Telegram emulator's port (0: any), when it runs
     * @param kieDelayMs    how long emulated KIE tasks take
     */
    /**
     * @param durable whether PostgreSQL flushes each commit to disk before acknowledging it. {@code make run} is
     *                durable (it may run with real tokens and real money); only the test suite and the benchmark
     *                trade durability for speed, and say so where they start the pipeline.
     */
    public record Options(Path dataDir, Map<String, String> environment, int postgresPort, int kafkaPort,
                          int kiePort, int telegramPort, long kieDelayMs, boolean durable) {
        public Options(Path dataDir, Map<String, String> environment, int postgresPort, int kafkaPort, int kiePort,
                       int telegramPort, long kieDelayMs) {
            this(dataDir, environment, postgresPort, kafkaPort, kiePort, telegramPort, kieDelayMs, true);
        }
    }

    /**
     * The PostgreSQL server settings of the embedded run. Durable means fsync, synchronous_commit and full_page_writes
     * on, said explicitly: the embedded server's library turns all three off by default, which would let an
     * acknowledged top-up or capture vanish when PostgreSQL is killed.
     */
    static Map<String, String> postgresSettings(boolean durable) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("max_connections", "200");
        String on = durable ? "on" : "off";
        settings.put("fsync", on);
        settings.put("synchronous_commit", on);
        settings.put("full_page_writes", on);
        return settings;
    }

    /** The embedded PostgreSQL as the pipeline starts it. */
    static EmbeddedPostgres.Builder postgres(Path dataDir, int port, boolean durable) {
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder().setDataDirectory(dataDir)
                .setCleanDataDirectory(false).setPort(port).setRegisterShutdownHook(false);
        postgresSettings(durable).forEach(builder::setServerConfig);
        return builder;
    }

    private final Options options;
    private final Map<String, String> env = new LinkedHashMap<>();
    private final Map<Service, ConfigurableApplicationContext> contexts = new LinkedHashMap<>();
    private EmbeddedPostgres postgres;
    private EmbeddedKafka kafka;
    private KieEmulator kieEmulator;
    private TelegramEmulator telegramEmulator;

    private EmbeddedPipeline(Options options) {
        this.options = options;
        this.env.putAll(options.environment());
    }

    /**
     * Keeps the one Logback setup (platform's logback.xml) for the whole JVM: without this, each of the five
     * Spring Boot contexts would reset logging as it starts.
     */
    public static void useOneLoggingSetup() {
        System.setProperty("org.springframework.boot.logging.LoggingSystem", "none");
        if (!org.slf4j.bridge.SLF4JBridgeHandler.isInstalled()) {
            // Tomcat logs through java.util.logging: route it into the same Logback output
            org.slf4j.bridge.SLF4JBridgeHandler.removeHandlersForRootLogger();
            org.slf4j.bridge.SLF4JBridgeHandler.install();
        }
    }

    public static EmbeddedPipeline start(Options options) throws Exception {
        useOneLoggingSetup();
        EmbeddedPipeline p = new EmbeddedPipeline(options);
        try {
            p.startInfrastructure();
            for (Service s : Service.values()) {
                p.startService(s);
            }
            return p;
        } catch (Exception | Error e) {
            p.close();
            throw e;
        }
    }

    /**
     * Infrastructure someone else runs (the tests' Testcontainers, {@code TEST_INFRA=testcontainers}): given in the
     * options' environment as {@value #EXTERNAL_KAFKA} and {@value #EXTERNAL_DATABASE_URL} (with
     * {@value #EXTERNAL_DATABASE_USER} and {@value #EXTERNAL_DATABASE_PASSWORD}), it is used instead of the
     * in-process broker and the embedded PostgreSQL.
     */
    public static final String EXTERNAL_KAFKA = "EXTERNAL_KAFKA_BOOTSTRAP_SERVERS";
    public static final String EXTERNAL_DATABASE_URL = "EXTERNAL_DATABASE_URL";
    public static final String EXTERNAL_DATABASE_USER = "EXTERNAL_DATABASE_USER";
    public static final String EXTERNAL_DATABASE_PASSWORD = "EXTERNAL_DATABASE_PASSWORD";

    private void startInfrastructure() throws Exception {
        if (!blank(env.get(EXTERNAL_DATABASE_URL))) {
            env.put("DATABASE_URL", env.get(EXTERNAL_DATABASE_URL));
            env.put("DATABASE_USER", env.getOrDefault(EXTERNAL_DATABASE_USER, "postgres"));
            env.put("DATABASE_PASSWORD", env.getOrDefault(EXTERNAL_DATABASE_PASSWORD, ""));
        } else {
            Path pgDir = options.dataDir().resolve("postgres");
            Files.createDirectories(pgDir);
            postgres = postgres(pgDir, options.postgresPort(), options.durable()).start();
            env.put("DATABASE_URL", postgres.getJdbcUrl("postgres", "postgres"));
            env.put("DATABASE_USER", "postgres");
            env.put("DATABASE_PASSWORD", env.getOrDefault("DATABASE_PASSWORD", ""));
        }
        if (!blank(env.get(EXTERNAL_KAFKA))) {
            env.put("KAFKA_BOOTSTRAP_SERVERS", env.get(EXTERNAL_KAFKA));
        } else {
            kafka = EmbeddedKafka.start(options.dataDir().resolve("kafka"), options.kafkaPort(), 3);
            env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
        }
        if (blank(env.get("KIE_API_KEY")) && blank(env.get("KIE_API_KEYS"))) {
            // KIE_EMULATOR_KEYS: several emulated KIE accounts (comma-separated), each with its own credits and window
            List<String> keys = java.util.Arrays.stream(env.getOrDefault("KIE_EMULATOR_KEYS",
                    env.getOrDefault("KIE_EMULATOR_KEY", "emulator-kie-key")).split(",")).map(String::trim)
                    .filter(k -> !k.isEmpty()).toList();
            env.put("KIE_API_KEY", keys.getFirst());
            if (keys.size() > 1) {
                env.put("KIE_API_KEYS", String.join(",", keys));
            }
            kieEmulator = KieEmulator.start(options.kiePort(), env.get("KIE_API_KEY"), options.kieDelayMs());
            keys.stream().skip(1).forEach(k -> kieEmulator.addKey(k, KieEmulator.DEFAULT_CREDITS));
            env.put("KIE_API_BASE_URL", kieEmulator.baseUrl());
            // the emulator signs its callbacks like KIE when the operator's key is set, and serves results over http
            kieEmulator.signCallbacksWith(env.get("KIE_WEBHOOK_HMAC_KEY"));
            env.putIfAbsent("ALLOW_HTTP_RESULT_URLS", "true");
        }
        if (blank(env.get("TELEGRAM_BOT_TOKEN"))) {
            env.put("TELEGRAM_BOT_TOKEN", "7000000001:emulator-bot-token");
            telegramEmulator = TelegramEmulator.start(options.telegramPort(), env.get("TELEGRAM_BOT_TOKEN"));
            env.put("TELEGRAM_API_BASE_URL", telegramEmulator.baseUrl());
            // the sandbox chat page drives this emulator (only an emulator: the page plays the user)
            env.put("SANDBOX_TELEGRAM_URL", telegramEmulator.baseUrl());
        }
        // callbacks reach the local gateway when KIE is emulated; a real KIE needs a real PUBLIC_BASE_URL
        if (kieEmulator != null && blank(env.get("PUBLIC_BASE_URL"))) {
            env.put("PUBLIC_BASE_URL", "http://127.0.0.1:" + env.getOrDefault("GATEWAY_PORT", "8080"));
        }
    }

    /** Stops a service and starts it again on the same port, as after a crash and a restart. */
    public ConfigurableApplicationContext restartService(Service service) {
        return restartService(service, Map.of());
    }

    /** Restarts a service with some variables changed (an empty value unsets one), on the same port. */
    public ConfigurableApplicationContext restartService(Service service, Map<String, String> changed) {
        int port = port(service);
        stopService(service);
        return startService(service, port, changed);
    }

    /** Starts one service with the shared environment. */
    public ConfigurableApplicationContext startService(Service service) {
        return startService(service, 0, Map.of());
    }

    private ConfigurableApplicationContext startService(Service service, int port, Map<String, String> changed) {
        Map<String, Object> props = new HashMap<>(env);
        props.putAll(changed);
        props.put("spring.config.name", service.configName);
        props.put("spring.jmx.enabled", "false");
        // one JVM, several services: each one's actuator stays on its own port (one MANAGEMENT_PORT would clash)
        props.put("MANAGEMENT_PORT", "");
        props.put("server.port", service == Service.GATEWAY ? env.getOrDefault("GATEWAY_PORT", "8080")
                : Integer.toString(port));
        if (service == Service.GATEWAY || service == Service.BOT) {
            props.put("ORCHESTRATOR_URL", "http://127.0.0.1:" + port(Service.ORCHESTRATOR));
            props.put("LEDGER_URL", "http://127.0.0.1:" + port(Service.LEDGER));
        }
        if (service == Service.GATEWAY) {
            props.put("BOT_URL", "http://127.0.0.1:" + port(Service.BOT));
            props.put("ANALYTICS_URL", "http://127.0.0.1:" + port(Service.ANALYTICS));
        }
        if (service == Service.ANALYTICS) {
            // the stores' local copies live beside Kafka's data: a new broker must never meet old stores
            props.putIfAbsent("ANALYTICS_STATE_DIR", options.dataDir().resolve("analytics").toString());
        }
        // first in line: the embedded infrastructure wins over anything in the shell's environment
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().addFirst(new MapPropertySource("embedded-pipeline", props));
        ConfigurableApplicationContext ctx = new SpringApplicationBuilder(service.application)
                .environment(environment).bannerMode(Banner.Mode.OFF).registerShutdownHook(false).logStartupInfo(false)
                .run();
        contexts.put(service, ctx);
        return ctx;
    }

    public void stopService(Service service) {
        ConfigurableApplicationContext ctx = contexts.remove(service);
        if (ctx != null) {
            ctx.close();
        }
    }

    public int port(Service service) {
        ConfigurableApplicationContext ctx = contexts.get(service);
        return ctx == null ? -1 : Integer.parseInt(ctx.getEnvironment().getProperty("local.server.port"));
    }

    public ConfigurableApplicationContext context(Service service) {
        return contexts.get(service);
    }

    public String gatewayUrl() {
        return "http://127.0.0.1:" + port(Service.GATEWAY);
    }

    public String env(String name) {
        return env.get(name);
    }

    public String jdbcUrl() {
        return env.get("DATABASE_URL");
    }

    public EmbeddedPostgres postgres() {
        return postgres;
    }

    public String kafkaBootstrapServers() {
        return env.get("KAFKA_BOOTSTRAP_SERVERS");
    }

    public KieEmulator kie() {
        return kieEmulator;
    }

    public TelegramEmulator telegram() {
        return telegramEmulator;
    }

    /** Stops everything in order: services (gateway first), then the emulators, Kafka, PostgreSQL. */
    @Override
    public void close() {
        List<Service> order = new ArrayList<>(contexts.keySet());
        java.util.Collections.reverse(order);
        for (Service s : order) {
            try {
                stopService(s);
            } catch (RuntimeException e) {
                System.err.println("stopping " + s + ": " + e);
            }
        }
        if (telegramEmulator != null) {
            telegramEmulator.close();
        }
        if (kieEmulator != null) {
            kieEmulator.close();
        }
        if (kafka != null) {
            kafka.close();
        }
        if (postgres != null) {
            try {
                postgres.close();
            } catch (Exception e) {
                System.err.println("stopping PostgreSQL: " + e);
            }
        }
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
