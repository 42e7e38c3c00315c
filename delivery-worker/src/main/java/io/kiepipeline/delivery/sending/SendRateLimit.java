package io.kiepipeline.delivery.sending;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Telegram's flood limits, held for all delivery-workers together: at most {@code globalPerSecond} messages a second
 * from the bot (Telegram: "not more than 30 messages per second or so") and one message per {@code chatInterval} in
 * one chat ("avoid sending more than one message per second"). The sends of the last second are rows in the
 * delivery-worker's schema, with the database's clock; a claim takes its places in its own transaction, under a lock
 * on one limiter row, so instances take turns for the length of a claim. A message without a place stays due, later:
 * nothing waits on a thread (ADR 7 explains the same choice for KIE).
 */
@Component
class SendRateLimit {
    private final JdbcTemplate jdbc;
    private final int globalPerSecond;
    private final Duration chatInterval;

    SendRateLimit(JdbcTemplate jdbc, io.kiepipeline.delivery.DeliverySettings settings) {
        this.jdbc = jdbc;
        this.globalPerSecond = settings.rate().globalPerSecond();
        this.chatInterval = settings.rate().chatInterval();
    }

    /** The places taken so far in this claim: one lock, one look at the window, then decisions in memory. */
    final class Window {
        private int used;
        private final Map<Long, Long> chatWaitMs;
        private final long globalWaitMs;

        private Window(int used, Map<Long, Long> chatWaitMs, long globalWaitMs) {
            this.used = used;
            this.chatWaitMs = chatWaitMs;
            this.globalWaitMs = globalWaitMs;
        }

        /**
         * Takes a place for one message to the chat; returns 0 when taken, else how many milliseconds until the chat
         * (or the bot) has room.
         */
        long take(long chatId) {
            if (used >= globalPerSecond) {
                return Math.max(globalWaitMs, 50);
            }
            Long chatWait = chatWaitMs.get(chatId);
            if (chatWait != null && chatWait > 0) {
                return chatWait;
            }
            jdbc.update("insert into telegram_send_slot (chat_id, at) values (?, clock_timestamp())", chatId);
            used++;
            chatWaitMs.put(chatId, chatInterval.toMillis());
            return 0;
        }
    }

    /** Opens the window for a claim, in the claim's transaction. */
    Window open() {
        if (!TransactionSynchronizationManager.isActualTransactionActive()) {
            throw new IllegalStateException("Telegram's rate limit is taken in the claim's transaction");
        }
        jdbc.queryForObject("select name from telegram_rate_limit where name = 'send' for update", String.class);
        double keepSeconds = Math.max(1_000, chatInterval.toMillis()) / 1000.0;
        jdbc.update("delete from telegram_send_slot where at <= clock_timestamp() - make_interval(secs => ?)",
                keepSeconds);
        Integer used = jdbc.queryForObject("""
                select count(*) from telegram_send_slot where at > clock_timestamp() - interval '1 second'""",
                Integer.class);
        Long globalWait = jdbc.queryForObject("""
                select coalesce(ceil(extract(epoch from (min(at) + interval '1 second' - clock_timestamp())) * 1000),
                                0)::bigint
                from telegram_send_slot where at > clock_timestamp() - interval '1 second'""", Long.class);
        Map<Long, Long> chatWait = new HashMap<>();
        jdbc.query("""
                        select chat_id, ceil(extract(epoch from (max(at) + make_interval(secs => ?)
                                                                 - clock_timestamp())) * 1000)::bigint as wait_ms
                        from telegram_send_slot group by chat_id""",
                rs -> {
                    chatWait.put(rs.getLong("chat_id"), rs.getLong("wait_ms"));
                }, chatInterval.toMillis() / 1000.0);
        return new Window(used == null ? 0 : used, chatWait, globalWait == null ? 0 : globalWait);
    }
}
