package io.kiepipeline.allinone;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;

/**
 * {@code make run}: the whole system in one JVM on embedded defaults. Data lives in {@code .data/} under the working
 * directory and survives restarts. Secrets that are not given are generated once, kept in
 * {@code .data/secrets.properties}, and printed. With TELEGRAM_BOT_TOKEN / KIE_API_KEY set, the real services are
 * used instead of the emulators.
 */
public final class Main {
    private static final List<String> GENERATED = List.of("API_TOKEN", "ADMIN_TOKEN", "CALLBACK_SECRET");

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        long started = System.nanoTime();
        Path data = Path.of(System.getenv().getOrDefault("DATA_DIR", ".data")).toAbsolutePath();
        Files.createDirectories(data);
        Map<String, String> env = new HashMap<>(System.getenv());
        Properties secrets = loadOrCreateSecrets(data.resolve("secrets.properties"), env);
        Set<String> generated = new TreeSet<>();
        secrets.forEach((k, v) -> {
            if (env.putIfAbsent((String) k, (String) v) == null) {
                generated.add((String) k);
            }
        });
        env.putIfAbsent("GATEWAY_PORT", "8080");
        boolean realKie = !blank(env.get("KIE_API_KEY"));
        boolean realTelegram = !blank(env.get("TELEGRAM_BOT_TOKEN"));

        EmbeddedPipeline pipeline = EmbeddedPipeline.start(new EmbeddedPipeline.Options(data, env,
                Integer.parseInt(env.getOrDefault("EMBEDDED_POSTGRES_PORT", "5433")),
                Integer.parseInt(env.getOrDefault("EMBEDDED_KAFKA_PORT", "9092")),
                Integer.parseInt(env.getOrDefault("KIE_EMULATOR_PORT", "9001")),
                Integer.parseInt(env.getOrDefault("TELEGRAM_EMULATOR_PORT", "9002")),
                Long.parseLong(env.getOrDefault("KIE_EMULATOR_DELAY_MS", "3000")), true));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("\nStopping: services, then Kafka, then PostgreSQL ...");
            pipeline.close();
            System.out.println("Stopped.");
            stopped.countDown();
        }, "pipeline-shutdown"));
        System.out.println(welcome(pipeline, env, generated, realKie, realTelegram,
                (System.nanoTime() - started) / 1_000_000_000.0));
        stopped.await();
    }

    /**
     * What {@code make run} prints once up. A secret is printed only when this run generated it (it lives in
     * .data/secrets.properties); one the operator gave through the environment is named, never shown.
     */
    static String welcome(EmbeddedPipeline p, Map<String, String> env, Set<String> generated, boolean realKie,
                          boolean realTelegram, double seconds) {
        String gw = "http://localhost:" + env.get("GATEWAY_PORT");
        String api = generated.contains("API_TOKEN") ? p.env("API_TOKEN") : "\"$API_TOKEN\"";
        String admin = generated.contains("ADMIN_TOKEN") ? p.env("ADMIN_TOKEN") : "\"$ADMIN_TOKEN\"";
        String tg = realTelegram ? null : p.telegram().baseUrl();
        StringBuilder s = new StringBuilder();
        s.append("\n================================================================================\n");
        s.append(String.format(" KIE Pipeline is up (%.1f s). Ctrl-C stops everything.%n", seconds));
        s.append("================================================================================\n");
        s.append(" gateway (API, callbacks)  ").append(gw).append('\n');
        if (!realTelegram) {
            s.append(" sandbox chat (the bot)    ").append(gw).append("/sandbox   <- try the bot in your browser\n");
        }
        s.append(" operator page             ").append(gw).append("/admin   <- live figures, stuck jobs, dead letters"
                + " (the ADMIN_TOKEN below)\n");
        for (EmbeddedPipeline.Service svc : EmbeddedPipeline.Service.values()) {
            if (svc != EmbeddedPipeline.Service.GATEWAY) {
                s.append(String.format(" %-25s http://localhost:%d/actuator/health  metrics: /actuator/prometheus%n",
                        svc.name().toLowerCase().replace('_', '-'), p.port(svc)));
            }
        }
        s.append(" gateway metrics           ").append(gw).append("/actuator/prometheus  (Authorization: Bearer ")
                .append(admin).append(")\n");
        s.append(" Kafka (KRaft, in-process) ").append(p.kafkaBootstrapServers()).append('\n');
        s.append(" PostgreSQL (embedded)     ").append(p.jdbcUrl()).append("  user postgres\n");
        s.append(" KIE                       ").append(realKie ? "the real API at " + p.env("KIE_API_BASE_URL")
                : "emulator at " + p.kie().baseUrl()).append('\n');
        s.append(" Telegram                  ").append(realTelegram ? "the real Bot API" : "emulator at " + tg)
                .append('\n');
        s.append(" KIE callbacks             ").append(blank(p.env("PUBLIC_BASE_URL")) ? "off: polling recordInfo"
                : p.env("PUBLIC_BASE_URL") + "/kie/callback/{jobId}").append('\n');
        s.append(" data                      ").append(Path.of(".data").toAbsolutePath()).append('\n');
        s.append("\n Tokens (generated ones are kept in .data/secrets.properties; set the variables to use your own):\n");
        for (String name : GENERATED) {
            s.append("   ").append(name).append('=').append(generated.contains(name) ? p.env(name)
                    : "(yours, from the environment: not shown)").append('\n');
        }
        s.append("\n Try it (copy-paste):\n\n");
        s.append("   export API=").append(api).append(" ADMIN=").append(admin).append('\n');
        s.append("   # 1. top up user 42 with 100.00 ").append(env.getOrDefault("CURRENCY", "RUB")).append('\n');
        s.append("   curl -s -X POST ").append(gw).append("/api/v1/admin/deposits -H \"Authorization: Bearer $ADMIN\""
                + " -H 'Content-Type: application/json' -d '{\"userId\":42,\"amountMinor\":10000,"
                + "\"reference\":\"demo-topup-1\"}'\n");
        s.append("   # 2. the models and their prices\n");
        s.append("   curl -s ").append(gw).append("/api/v1/models -H \"Authorization: Bearer $API\"\n");
        s.append("   # 3. ask for a paid generation (the same Idempotency-Key always gives the same job)\n");
        s.append("   JOB=$(curl -s -X POST ").append(gw).append("/api/v1/generations -H \"Authorization: Bearer $API\""
                + " -H 'Idempotency-Key: demo-1' -H 'Content-Type: application/json' -d '{\"userId\":42,\"chatId\":42,"
                + "\"model\":\"nano-banana-pro\",\"input\":{\"prompt\":\"a red fox in the snow\"}}'"
                + " | sed 's/.*\"jobId\":\"\\([^\"]*\\)\".*/\\1/'); echo $JOB\n");
        s.append("   # 4. the job (status, price, task id, result URLs) and the balance\n");
        s.append("   curl -s ").append(gw).append("/api/v1/jobs/$JOB -H \"Authorization: Bearer $API\"\n");
        s.append("   curl -s ").append(gw).append("/api/v1/accounts/42 -H \"Authorization: Bearer $API\"\n");
        s.append("   # live figures (analytics): totals, every model's last 60 minutes, user 42's days\n");
        s.append("   curl -s '").append(gw).append("/api/v1/admin/stats?minutes=60&userId=42' -H \"Authorization: Bearer"
                + " $ADMIN\"\n");
        if (!realTelegram) {
            s.append("   # 5. what the bot sent to chat 42\n");
            s.append("   curl -s '").append(tg).append("/control/sent?chatId=42'\n");
            s.append("   # 6. talk to the bot as user 42\n");
            s.append("   curl -s -X POST ").append(tg).append("/control/updates -d '{\"userId\":42,\"text\":"
                    + "\"/generate google/nano-banana a cat astronaut\"}'\n");
            s.append("   curl -s -X POST ").append(tg).append("/control/updates -d '{\"userId\":42,\"text\":"
                    + "\"/balance\"}'\n");
        }
        s.append("   # every log line of one job: grep its id in this console\n");
        s.append("================================================================================\n");
        return s.toString();
    }

    private static Properties loadOrCreateSecrets(Path file, Map<String, String> env) throws IOException {
        Properties p = new Properties();
        if (Files.exists(file)) {
            try (InputStream in = Files.newInputStream(file)) {
                p.load(in);
            }
        }
        SecureRandom random = new SecureRandom();
        boolean changed = false;
        for (String name : GENERATED) {
            if (blank(env.get(name)) && blank(p.getProperty(name))) {
                byte[] bytes = new byte[24];
                random.nextBytes(bytes);
                p.setProperty(name, Base64.getUrlEncoder().withoutPadding().encodeToString(bytes));
                changed = true;
            }
        }
        if (changed) {
            try (OutputStream out = Files.newOutputStream(file)) {
                p.store(out, "generated by make run; delete to regenerate");
            }
        }
        return p;
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
