package io.kiepipeline.gateway.telegram;

import io.kiepipeline.gateway.api.Backends;
import io.kiepipeline.gateway.publishing.Publisher;
import io.kiepipeline.schemas.ChatId;
import io.kiepipeline.schemas.GatewayEvent.GenerationRequested;
import io.kiepipeline.schemas.Ids;
import io.kiepipeline.schemas.JobId;
import io.kiepipeline.schemas.Limits;
import io.kiepipeline.schemas.Money;
import io.kiepipeline.schemas.RequestSource;
import io.kiepipeline.schemas.UserId;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.telegram.telegrambots.longpolling.util.LongPollingSingleThreadUpdateConsumer;
import org.telegram.telegrambots.meta.api.methods.send.SendMessage;
import org.telegram.telegrambots.meta.api.objects.Update;
import org.telegram.telegrambots.meta.api.objects.message.Message;
import org.telegram.telegrambots.meta.exceptions.TelegramApiException;
import org.telegram.telegrambots.meta.generics.TelegramClient;

/**
 * The bot's commands: {@code /start}, {@code /balance}, {@code /models}, {@code /generate <model> <prompt>}.
 * A generation's idempotency key is the update's id, so a re-delivered update never makes a second job.
 *
 * <p>A {@code /generate} whose publish Kafka did not ack in time may still have been written (an ack lost, a record
 * still in the producer's buffer). Asking the user to send the command again would then make a second job and a
 * second hold: the bot never does. It says it could not confirm the request yet and that the user should not resend
 * it, and keeps publishing the same record (same job id, which the orchestrator dedupes) in the background, for
 * {@code retryWindow}; it tells the user when the request is confirmed, or, past the window, how to tell from
 * {@code /balance} whether it went through.
 */
public class TelegramBot implements LongPollingSingleThreadUpdateConsumer {
    private static final Logger log = LoggerFactory.getLogger(TelegramBot.class);

    private final TelegramClient telegram;
    private final Publisher publisher;
    private final Backends backends;
    private final Clock clock;
    private final long botId;
    private final Duration retryWindow;
    private final Duration retryPause;
    private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().name("telegram-publish-retry").daemon().unstarted(r));

    /**
     * @param retryWindow how long an unconfirmed generation request keeps being published again in the background
     * @param retryPause  the pause between two of those tries
     */
    public TelegramBot(TelegramClient telegram, Publisher publisher, Backends backends, Clock clock, long botId,
                       Duration retryWindow, Duration retryPause) {
        this.telegram = telegram;
        this.publisher = publisher;
        this.backends = backends;
        this.clock = clock;
        this.botId = botId;
        this.retryWindow = retryWindow;
        this.retryPause = retryPause;
    }

    @Override
    public void consume(Update update) {
        try {
            handle(update);
        } catch (RuntimeException e) {
            log.atError().addKeyValue("updateId", update.getUpdateId()).setCause(e).log("telegram.update-failed");
        }
    }

    void handle(Update update) {
        if (!update.hasMessage() || !update.getMessage().hasText() || update.getMessage().getFrom() == null) {
            return;
        }
        if (update.getMessage().getFrom().getIsBot() || update.getMessage().getFrom().getId() <= 0) {
            // Telegram never delivers another bot's message in a private chat, and user ids are positive: an update
            // like this was not sent by a person, and gets neither an answer nor a job
            log.atWarn().addKeyValue("updateId", update.getUpdateId()).log("telegram.update-ignored; not from a user");
            return;
        }
        Message message = update.getMessage();
        long chatId = message.getChatId();
        long userId = message.getFrom().getId();
        String text = message.getText().trim();
        String command = text.split("\\s+", 2)[0].toLowerCase();
        int at = command.indexOf('@');
        if (at > 0) {
            command = command.substring(0, at);
        }
        log.atInfo().addKeyValue("updateId", update.getUpdateId()).addKeyValue("userId", userId)
                .addKeyValue("command", command).log("telegram.update");
        switch (command) {
            case "/start" -> reply(chatId, "Hi! I make images and videos with AI models.\n"
                    + balanceLine(userId) + "\n\n"
                    + "/models: what I can make and what it costs\n"
                    + "/generate <model> <prompt>: start a generation\n"
                    + "/balance: your balance\n"
                    + "You are charged only when a result arrives.");
            case "/balance" -> reply(chatId, balanceLine(userId));
            case "/models" -> reply(chatId, modelsText());
            case "/generate" -> generate(update, message, chatId, userId, text);
            case "/help" -> reply(chatId, "/models, /generate <model> <prompt>, /balance");
            default -> reply(chatId, "I don't know that command. Send /help.");
        }
    }

    private void generate(Update update, Message message, long chatId, long userId, String text) {
        String[] parts = text.split("\\s+", 3);
        if (parts.length < 3 || parts[2].isBlank()) {
            reply(chatId, "Usage: /generate <model> <prompt>\nExample: /generate google/nano-banana a red fox in snow");
            return;
        }
        String model = parts[1];
        String prompt = parts[2].trim();
        // bounded at the edge like the API (Limits): no job, no hold, a reply that says why
        if (model.length() > Limits.MODEL_ID || model.chars().anyMatch(Character::isISOControl)) {
            reply(chatId, "There is no model with that name. Send /models to see them.");
            return;
        }
        if (text.length() > Limits.TELEGRAM_TEXT || prompt.length() > Limits.INPUT_TEXT) {
            reply(chatId, "That prompt is too long: at most " + Limits.TELEGRAM_TEXT + " characters.");
            return;
        }
        JobId jobId = Ids.jobIdForTelegramUpdate(botId, update.getUpdateId());
        GenerationRequested request = new GenerationRequested(jobId, Ids.idempotencyKeyForTelegramUpdate(botId,
                update.getUpdateId()), new UserId(userId), new ChatId(chatId), model, Map.of("prompt", prompt),
                clock.instant(), RequestSource.TELEGRAM, null,
                io.kiepipeline.schemas.Language.fromTag(message.getFrom().getLanguageCode()));
        try {
            publisher.publish(request, jobId.toString());
        } catch (Publisher.Unavailable e) {
            log.atWarn().addKeyValue("jobId", jobId).addKeyValue("userId", userId)
                    .addKeyValue("updateId", update.getUpdateId()).addKeyValue("reason", reasonOf(e))
                    .log("telegram.request-unconfirmed; publishing it again in the background");
            reply(chatId, Replies.unconfirmed(jobId, retryWindow));
            keepPublishing(request, clock.instant().plus(retryWindow));
            return;
        }
        log.atInfo().addKeyValue("jobId", jobId).addKeyValue("userId", userId).addKeyValue("model", model)
                .addKeyValue("updateId", update.getUpdateId()).log("generation.requested");
        reply(chatId, Replies.working(jobId));
    }

    /** Publishes the same record again (same job id: at most one job) until Kafka acks it or the window ends. */
    private void keepPublishing(GenerationRequested request, java.time.Instant until) {
        try {
            retries.schedule(() -> {
                try {
                    publisher.publish(request, request.jobId().toString());
                    log.atInfo().addKeyValue("jobId", request.jobId()).addKeyValue("userId", request.userId())
                            .addKeyValue("model", request.model()).log("generation.requested; confirmed late");
                    reply(request.chatId().value(), Replies.confirmedLate(request.jobId()));
                } catch (Publisher.Unavailable e) {
                    if (clock.instant().isBefore(until)) {
                        keepPublishing(request, until);
                    } else {
                        log.atError().addKeyValue("jobId", request.jobId()).addKeyValue("userId", request.userId())
                                .addKeyValue("reason", reasonOf(e))
                                .log("telegram.request-abandoned; it may or may not have been written");
                        reply(request.chatId().value(), Replies.stillUnconfirmed(request.jobId()));
                    }
                } catch (RuntimeException e) {
                    log.atError().addKeyValue("jobId", request.jobId()).setCause(e).log("telegram.request-retry-failed");
                }
            }, retryPause.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            log.atWarn().addKeyValue("jobId", request.jobId()).log("telegram.request-abandoned; the gateway is stopping");
        }
    }

    private static String reasonOf(Throwable e) {
        Throwable cause = e.getCause() != null ? e.getCause() : e;
        return cause.getClass().getSimpleName() + ": " + cause.getMessage();
    }

    private String balanceLine(long userId) {
        try {
            Map<String, Object> a = backends.account(userId);
            String currency = String.valueOf(a.get("currency"));
            long available = ((Number) a.get("availableMinor")).longValue();
            long held = ((Number) a.get("heldMinor")).longValue();
            return "Balance: " + Money.of(available, currency).display()
                    + (held > 0 ? " (+ " + Money.of(held, currency).display() + " held for running jobs)" : "");
        } catch (RuntimeException e) {
            log.atWarn().addKeyValue("userId", userId).addKeyValue("reason", e.getMessage())
                    .log("telegram.balance-unavailable");
            return "Balance: unavailable right now, try again in a minute.";
        }
    }

    private String modelsText() {
        try {
            List<Map<String, Object>> models = backends.models();
            StringBuilder sb = new StringBuilder("Models:\n");
            for (Map<String, Object> m : models) {
                // what /generate (which sets no option) is charged, or "from" when the options must be chosen
                Object byDefault = m.get("priceDefaultMinor");
                long price = ((Number) (byDefault != null ? byDefault : m.get("priceFromMinor"))).longValue();
                sb.append("• ").append(m.get("id")).append(" (").append(m.get("outputType")).append("): ")
                        .append(price == 0 && byDefault != null ? "free" : (byDefault == null ? "from " : "")
                                + Money.of(price, String.valueOf(m.get("currency"))).display())
                        .append('\n');
            }
            return sb.toString();
        } catch (RuntimeException e) {
            return "The model list is unavailable right now, try again in a minute.";
        }
    }

    private void reply(long chatId, String text) {
        try {
            telegram.execute(SendMessage.builder().chatId(Long.toString(chatId)).text(text).build());
        } catch (TelegramApiException e) {
            log.atWarn().addKeyValue("chatId", chatId).addKeyValue("reason", e.getMessage()).log("telegram.reply-failed");
        }
    }
}
