package io.kiepipeline.bot.service;

import io.kiepipeline.platform.outbox.OutboxWriter;
import io.kiepipeline.schemas.ChatCommand;
import io.kiepipeline.schemas.ChatId;
import io.kiepipeline.schemas.Ids;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Sends an admin's broadcast to every user the bot knows, {@code perSecond} a second: well under Telegram's 30
 * messages a second overall, so the users' own answers still go out meanwhile (the delivery-worker holds the flood
 * limits for everything it sends). Each slice is one transaction: the messages into the outbox and the cursor moved
 * on; the row is locked (SKIP LOCKED), so several bot instances never send the same slice, and each message's id is
 * derived from the broadcast and the user, so a slice sent twice is sent once.
 */
@Component
class Broadcaster {
    private static final Logger log = LoggerFactory.getLogger(Broadcaster.class);

    private final JdbcTemplate jdbc;
    private final OutboxWriter outbox;
    private final TransactionTemplate tx;
    private final Clock clock;
    private final int perSecond;

    Broadcaster(JdbcTemplate jdbc, OutboxWriter outbox, PlatformTransactionManager txManager, Clock clock,
                io.kiepipeline.bot.BotSettings settings) {
        int perSecond = settings.broadcastPerSecond();
        if (perSecond < 1 || perSecond > 30) {
            throw new IllegalStateException("BOT_BROADCAST_PER_SECOND must be 1 to 30 (Telegram's own limit)");
        }
        this.jdbc = jdbc;
        this.outbox = outbox;
        this.tx = new TransactionTemplate(txManager);
        this.clock = clock;
        this.perSecond = perSecond;
    }

    /** In the admin's update transaction. */
    static void start(JdbcTemplate jdbc, UUID id, String html, long by, long adminChat, Instant now) {
        jdbc.update("""
                insert into broadcast (broadcast_id, html, created_by, admin_chat, status, created_at)
                values (?, ?, ?, ?, 'SENDING', ?) on conflict (broadcast_id) do nothing""",
                id, html, by, adminChat, Timestamp.from(now));
    }

    @Scheduled(fixedDelay = 1000)
    void sendASlice() {
        tx.executeWithoutResult(status -> {
            List<Map<String, Object>> sending = jdbc.queryForList("""
                    select broadcast_id, html, admin_chat, cursor_user, sent from broadcast
                    where status = 'SENDING' order by created_at limit 1 for update skip locked""");
            if (sending.isEmpty()) {
                return;
            }
            Map<String, Object> b = sending.getFirst();
            UUID id = (UUID) b.get("broadcast_id");
            long cursor = ((Number) b.get("cursor_user")).longValue();
            int sent = ((Number) b.get("sent")).intValue();
            Instant now = clock.instant();
            List<Long> users = jdbc.queryForList("""
                    select u.user_id from bot_user u
                    where u.user_id > ? and not exists (select 1 from ban where ban.user_id = u.user_id)
                    order by u.user_id limit ?""", Long.class, cursor, perSecond);
            String correlation = "broadcast:" + id;
            for (long user : users) {
                outbox.append(new ChatCommand.SendChatMessage(Ids.nameUuid(correlation + ":" + user),
                        new ChatId(user), (String) b.get("html"), List.of(), now), correlation, null);
            }
            sent += users.size();
            if (users.size() < perSecond) {
                jdbc.update("update broadcast set cursor_user = ?, sent = ?, status = 'DONE', done_at = ?"
                        + " where broadcast_id = ?", users.isEmpty() ? cursor : users.getLast(), sent,
                        Timestamp.from(now), id);
                outbox.append(new ChatCommand.SendChatMessage(Ids.nameUuid(correlation + ":done"), new ChatId(
                        ((Number) b.get("admin_chat")).longValue()), "📣 Broadcast done: sent to " + sent
                        + " users.", List.of(), now), correlation, null);
                log.atInfo().addKeyValue("broadcastId", id).addKeyValue("sent", sent).log("bot.broadcast-done");
            } else {
                jdbc.update("update broadcast set cursor_user = ?, sent = ? where broadcast_id = ?", users.getLast(),
                        sent, id);
            }
        });
    }
}
