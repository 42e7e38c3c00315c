package io.kiepipeline.gateway.telegram;

import java.time.Duration;
import java.util.List;
import org.springframework.context.SmartLifecycle;
import org.telegram.telegrambots.meta.api.methods.commands.SetMyCommands;
import org.telegram.telegrambots.meta.api.objects.commands.BotCommand;
import org.telegram.telegrambots.meta.generics.TelegramClient;

/**
 * Registers the bot's commands with Telegram at start ({@code setMyCommands}), in English for everyone and in Russian
 * for Russian-speaking clients, so that the "/" menu lists them; again every 30 s until Telegram takes them. Every gateway does it; the call is
 * idempotent.
 */
public class BotCommands implements SmartLifecycle {
    static final List<BotCommand> ENGLISH = List.of(
            new BotCommand("start", "Menu and balance"),
            new BotCommand("models", "What I can make and what it costs"),
            new BotCommand("generate", "Start a generation: /generate <model> <prompt>"),
            new BotCommand("balance", "Your balance"),
            new BotCommand("help", "How it works"));
    static final List<BotCommand> RUSSIAN = List.of(
            new BotCommand("start", "Меню и баланс"),
            new BotCommand("models", "Что я умею и сколько это стоит"),
            new BotCommand("generate", "Запустить генерацию: /generate <модель> <запрос>"),
            new BotCommand("balance", "Ваш баланс"),
            new BotCommand("help", "Как это работает"));
    private final UntilAccepted registration;

    public BotCommands(TelegramClient telegram) {
        this.registration = new UntilAccepted("commands", () -> {
            telegram.execute(SetMyCommands.builder().commands(ENGLISH).build());
            telegram.execute(SetMyCommands.builder().commands(RUSSIAN).languageCode("ru").build());
        }, Duration.ofSeconds(30));
    }

    @Override
    public void start() {
        registration.start();
    }

    @Override
    public void stop() {
        registration.stop();
    }

    @Override
    public boolean isRunning() {
        return registration.isRunning();
    }
}
