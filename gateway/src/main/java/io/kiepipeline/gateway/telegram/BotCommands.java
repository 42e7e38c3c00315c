package io.kiepipeline.gateway.telegram;

import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.telegram.telegrambots.meta.api.methods.commands.SetMyCommands;
import org.telegram.telegrambots.meta.api.objects.commands.BotCommand;
import org.telegram.telegrambots.meta.exceptions.TelegramApiException;
import org.telegram.telegrambots.meta.generics.TelegramClient;

/**
 * Registers the bot's commands with Telegram at start ({@code setMyCommands}), in English for everyone and in Russian
 * for Russian-speaking clients, so that the "/" menu lists them. In the background, again every 30 s until Telegram
 * takes them: a gateway that starts while Telegram is away still starts. Every gateway does it; the call is
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
    private static final Logger log = LoggerFactory.getLogger(BotCommands.class);

    private final TelegramClient telegram;
    private volatile boolean running;
    private volatile Thread registering;

    public BotCommands(TelegramClient telegram) {
        this.telegram = telegram;
    }

    @Override
    public void start() {
        running = true;
        registering = Thread.ofPlatform().name("telegram-set-commands").daemon().start(this::register);
    }

    private void register() {
        while (running) {
            try {
                telegram.execute(SetMyCommands.builder().commands(ENGLISH).build());
                telegram.execute(SetMyCommands.builder().commands(RUSSIAN).languageCode("ru").build());
                log.atInfo().addKeyValue("commands", ENGLISH.size()).log("telegram.commands-set");
                return;
            } catch (TelegramApiException e) {
                log.atWarn().addKeyValue("reason", e.getMessage()).log("telegram.commands-not-set; trying again in 30 s");
            }
            try {
                Thread.sleep(30_000);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    @Override
    public void stop() {
        running = false;
        Thread t = registering;
        if (t != null) {
            t.interrupt();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
