package io.kiepipeline.gateway.telegram;

import java.time.Duration;
import java.util.List;
import org.telegram.telegrambots.meta.api.methods.commands.SetMyCommands;
import org.telegram.telegrambots.meta.api.objects.commands.BotCommand;
import org.telegram.telegrambots.meta.generics.TelegramClient;

/**
 * Registers the bot's commands with Telegram at start ({@code setMyCommands}), in English for everyone and in Russian
 * for Russian-speaking clients, so that the "/" menu lists them; again every 30 s until Telegram takes them. Every gateway does it; the call is
 * idempotent.
 */
public final class BotCommands {
    static final List<BotCommand> ENGLISH = List.of(
            new BotCommand("start", "Menu and balance"),
            new BotCommand("balance", "Your balance"),
            new BotCommand("topup", "Top up with Telegram Stars"),
            new BotCommand("history", "Your last jobs: repeat one or get its result again"),
            new BotCommand("generate", "A model's wizard with your prompt: /generate <model> <prompt>"),
            new BotCommand("invite", "Invite friends"),
            new BotCommand("cancel", "Stop what we are setting up"),
            new BotCommand("language", "English or Russian"),
            new BotCommand("help", "How it works"));
    static final List<BotCommand> RUSSIAN = List.of(
            new BotCommand("start", "Меню и баланс"),
            new BotCommand("balance", "Ваш баланс"),
            new BotCommand("topup", "Пополнить звёздами Telegram"),
            new BotCommand("history", "Последние генерации: повторить или получить результат"),
            new BotCommand("generate", "Мастер модели с вашим запросом: /generate <модель> <запрос>"),
            new BotCommand("invite", "Пригласить друзей"),
            new BotCommand("cancel", "Отменить то, что настраиваем"),
            new BotCommand("language", "Русский или английский"),
            new BotCommand("help", "Как это работает"));
    private BotCommands() {
    }

    /** The registration, a lifecycle bean of its own: tried at start, and in the background until Telegram takes it. */
    public static UntilAccepted registration(TelegramClient telegram) {
        return new UntilAccepted("commands", () -> {
            telegram.execute(SetMyCommands.builder().commands(ENGLISH).build());
            telegram.execute(SetMyCommands.builder().commands(RUSSIAN).languageCode("ru").build());
        }, Duration.ofSeconds(30));
    }
}
