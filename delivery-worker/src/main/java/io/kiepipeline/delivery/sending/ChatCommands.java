package io.kiepipeline.delivery.sending;

import io.kiepipeline.platform.inbox.Inbox;
import io.kiepipeline.platform.messaging.Envelope;
import io.kiepipeline.schemas.ChatCommand;
import io.kiepipeline.schemas.Limits;
import io.kiepipeline.schemas.MessageCodec;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The bot's chat commands (topic {@code bot.chat-commands}): recorded by the consumer, then done by the
 * {@link DeliveryScheduler} like the deliveries, in order per chat and one at a time, with no transaction open during
 * the Telegram call. A message or an edit takes a place under Telegram's flood limits; answering a tap does not (it
 * sends nothing to the chat). An answer to a tap is worth little after a few seconds and gives up after
 * {@link #ANSWER_PATIENCE}; a message keeps trying for the deliveries' patience.
 */
@Component
class ChatCommands {
    static final Duration ANSWER_PATIENCE = Duration.ofSeconds(30);
    /** Telegram fails a payment whose pre-checkout query is not answered within 10 s: no later answer is sent. */
    static final Duration PRECHECKOUT_PATIENCE = Duration.ofSeconds(10);
    private static final Logger log = LoggerFactory.getLogger(ChatCommands.class);

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final Inbox inbox;
    private final TelegramSettings settings;
    private final SendRateLimit rateLimit;
    private final Clock clock;
    private volatile Runnable wakeUp = () -> { };

    ChatCommands(JdbcTemplate jdbc, PlatformTransactionManager txManager, Inbox inbox, TelegramSettings settings,
                 SendRateLimit rateLimit, Clock clock) {
        this.jdbc = jdbc;
        this.tx = new TransactionTemplate(txManager);
        this.inbox = inbox;
        this.settings = settings;
        this.rateLimit = rateLimit;
        this.clock = clock;
    }

    /** A command claimed for doing: the lease is taken, the attempt counted. */
    record Claim(UUID commandId, long chatId, ChatCommand command, int attempt) {
    }

    void onCommit(Runnable wake) {
        this.wakeUp = wake;
    }

    /** The consumer: records the command once (the inbox, and the command's own id), and returns at once. */
    @Transactional
    public void handle(Envelope envelope) {
        ChatCommand command = (ChatCommand) envelope.message();
        if (!inbox.firstDelivery(Delivery.CONSUMER, envelope.eventId())) {
            return;
        }
        record(command, clock.instant());
    }

    /**
     * Queues a command in the caller's transaction, once per command id (a repeat changes nothing), and wakes the
     * scheduler after the commit.
     */
    void record(ChatCommand command, Instant now) {
        String kind = switch (command) {
            case ChatCommand.SendChatMessage s -> "SEND";
            case ChatCommand.EditChatMessage e -> "EDIT";
            case ChatCommand.AnswerCallbackQuery a -> "ANSWER";
            case ChatCommand.SendInvoice i -> "INVOICE";
            case ChatCommand.AnswerPreCheckoutQuery q -> "PRECHECKOUT";
            case ChatCommand.RefundStarPayment r -> "REFUND";
        };
        // an answer is worth nothing once Telegram stopped waiting for it (a tap's spinner, a payment's 10 s)
        Duration patience = kind.equals("PRECHECKOUT") ? PRECHECKOUT_PATIENCE
                : kind.equals("ANSWER") ? ANSWER_PATIENCE : settings.patience();
        int added = jdbc.update("""
                        insert into chat_command (command_id, chat_id, kind, body, status, due_at, give_up_at,
                                                  created_at)
                        values (?, ?, ?, ?, 'PENDING', ?, ?, ?)
                        on conflict (command_id) do nothing""",
                command.commandId(), command.chatId().value(), kind, MessageCodec.toJson(command), ts(now),
                ts(now.plus(patience)), ts(now));
        if (added == 0) {
            log.atInfo().addKeyValue("commandId", command.commandId()).log("chat-command.already-recorded");
            return;
        }
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCommit() {
                wakeUp.run();
            }
        });
    }

    /**
     * Claims up to {@code limit} due commands, each the first undone command of its chat, in one short transaction
     * ({@code SKIP LOCKED}: instances share the queue). A message without a place under the flood limits stays due
     * a little later.
     */
    List<Claim> claim(int limit, Instant now) {
        return tx.execute(status -> {
            List<Claim> found = jdbc.query("""
                            select c.command_id, c.chat_id, c.kind, c.body, c.attempts
                            from chat_command c
                            where c.status in ('PENDING', 'SENDING') and c.due_at <= ?
                              -- answers wait for nothing: Telegram waits 10 s for a pre-checkout answer, and a
                              -- message held back by a 429 must not make a payment fail
                              and (c.kind in ('ANSWER', 'PRECHECKOUT')
                                   or not exists (select 1 from chat_command p
                                                  where p.chat_id = c.chat_id and p.seq < c.seq
                                                    and p.kind not in ('ANSWER', 'PRECHECKOUT')
                                                    and p.status in ('PENDING', 'SENDING')))
                            order by c.due_at
                            limit ?
                            for update of c skip locked""",
                    (rs, row) -> new Claim(rs.getObject("command_id", UUID.class), rs.getLong("chat_id"),
                            (ChatCommand) MessageCodec.fromJson(typeOf(rs.getString("kind")), rs.getString("body")),
                            rs.getInt("attempts") + 1),
                    ts(now), limit);
            if (found.isEmpty()) {
                return found;
            }
            SendRateLimit.Window window = null;
            List<Claim> taken = new ArrayList<>(found.size());
            for (Claim c : found) {
                // answers and refunds put nothing in the chat: they take no place under its flood limit
                if (!(c.command() instanceof ChatCommand.AnswerCallbackQuery)
                        && !(c.command() instanceof ChatCommand.AnswerPreCheckoutQuery)
                        && !(c.command() instanceof ChatCommand.RefundStarPayment)) {
                    window = window != null ? window : rateLimit.open();
                    long waitMs = window.take(c.chatId());
                    if (waitMs > 0) {
                        jdbc.update("update chat_command set due_at = ? where command_id = ?",
                                ts(now.plusMillis(waitMs)), c.commandId());
                        continue;
                    }
                }
                jdbc.update("update chat_command set status = 'SENDING', attempts = ?, due_at = ? where command_id = ?",
                        c.attempt(), ts(now.plus(settings.lease())), c.commandId());
                taken.add(c);
            }
            return taken;
        });
    }

    /** What one try came to, in its own transaction; a try whose lease another took records nothing. */
    void recordOutcome(Claim c, SendOutcome outcome, Instant now) {
        tx.executeWithoutResult(status -> {
            Integer current = jdbc.query("""
                            select attempts from chat_command where command_id = ? and status = 'SENDING'
                            for update""",
                    rs -> rs.next() ? rs.getInt(1) : null, c.commandId());
            if (current == null || current != c.attempt()) {
                return;
            }
            switch (outcome) {
                case SendOutcome.Sent s -> jdbc.update("""
                                update chat_command set status = 'DONE', done_at = ?, telegram_message_id = ?,
                                                        last_error = null
                                where command_id = ?""", ts(now), s.telegramMessageId(), c.commandId());
                case SendOutcome.RetryLater r -> retryLater(c, r, now);
                case SendOutcome.MediaRefused r -> failed(c, r.errorCode(), r.detail(), now);
                case SendOutcome.Refused r -> failed(c, r.errorCode(), r.detail(), now);
            }
        });
    }

    private void retryLater(Claim c, SendOutcome.RetryLater r, Instant now) {
        Instant giveUpAt = jdbc.queryForObject("select give_up_at from chat_command where command_id = ?",
                Timestamp.class, c.commandId()).toInstant();
        if (!now.isBefore(giveUpAt)) {
            failed(c, r.errorCode(), "gave up: " + r.detail(), now);
            return;
        }
        Duration wait = r.retryAfter() != null ? r.retryAfter() : settings.backOff(c.attempt());
        Instant due = now.plus(wait).isAfter(giveUpAt) ? giveUpAt : now.plus(wait);
        jdbc.update("update chat_command set status = 'PENDING', due_at = ?, last_error = ? where command_id = ?",
                ts(due), Limits.cut(r.errorCode() + ": " + r.detail(), 500), c.commandId());
    }

    /** Telegram refused it for good (a stale query, a message gone, a blocked bot): the chat's next command goes on. */
    private void failed(Claim c, int code, String detail, Instant now) {
        jdbc.update("""
                        update chat_command set status = 'FAILED', done_at = ?, last_error = ?
                        where command_id = ?""",
                ts(now), Limits.cut(code + ": " + detail, 500), c.commandId());
        log.atWarn().addKeyValue("commandId", c.commandId()).addKeyValue("chatId", c.chatId())
                .addKeyValue("telegramErrorCode", code).addKeyValue("reason", detail).log("chat-command.failed");
    }

    private static String typeOf(String kind) {
        return switch (kind) {
            case "SEND" -> "bot.send-chat-message.v1";
            case "EDIT" -> "bot.edit-chat-message.v1";
            case "ANSWER" -> "bot.answer-callback-query.v1";
            case "INVOICE" -> "bot.send-invoice.v1";
            case "PRECHECKOUT" -> "bot.answer-pre-checkout-query.v1";
            case "REFUND" -> "bot.refund-star-payment.v1";
            default -> throw new IllegalStateException("unknown chat command kind " + kind);
        };
    }

    private static Timestamp ts(Instant i) {
        return Timestamp.from(i);
    }
}
