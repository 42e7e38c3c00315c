package io.kiepipeline.emulators;

/**
 * Runs both emulators standalone: {@code java -cp … io.kiepipeline.emulators.EmulatorsMain [kiePort] [telegramPort]}.
 * The KIE key is {@code KIE_API_KEY} (default {@code emulator-kie-key}); the bot token is {@code TELEGRAM_BOT_TOKEN}
 * (default {@code 123456:emulator-bot-token}).
 */
public final class EmulatorsMain {
    private EmulatorsMain() {
    }

    public static void main(String[] args) throws Exception {
        int kiePort = args.length > 0 ? Integer.parseInt(args[0]) : 9001;
        int tgPort = args.length > 1 ? Integer.parseInt(args[1]) : 9002;
        String key = System.getenv().getOrDefault("KIE_API_KEY", "emulator-kie-key");
        String token = System.getenv().getOrDefault("TELEGRAM_BOT_TOKEN", "123456:emulator-bot-token");
        KieEmulator kie = KieEmulator.start(kiePort, key, 2000);
        TelegramEmulator telegram = TelegramEmulator.start(tgPort, token);
        System.out.println("KIE emulator:      " + kie.baseUrl());
        System.out.println("Telegram emulator: " + telegram.baseUrl());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            kie.close();
            telegram.close();
        }));
        Thread.currentThread().join();
    }
}
