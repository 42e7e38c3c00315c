package io.kiepipeline.delivery.sending;

import io.kiepipeline.delivery.sending.OutgoingMessage.TelegramMethod;
import io.kiepipeline.platform.outbox.OutboxWriter;
import io.kiepipeline.schemas.ChatId;
import io.kiepipeline.schemas.DeliveryEvent;
import io.kiepipeline.schemas.DeliveryFailureReason;
import io.kiepipeline.schemas.JobId;
import io.kiepipeline.schemas.Limits;
import io.kiepipeline.schemas.NoticeKind;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The delivery queue in PostgreSQL: {@code delivery} (one per job notice) and {@code delivery_message} (one per
 * Telegram message, sent in {@code seq} order). Three short transactions, none of them spanning a Telegram call:
 * {@link #record} (the consumer's), {@link #claim} and {@link #recordOutcome} (the scheduler's).
 */
@Component
class DeliveryStore {
    private static final Logger log = LoggerFactory.getLogger(DeliveryStore.class);
    private static final int MAX_ERROR = 500;

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final OutboxWriter outbox;
    private final TelegramSettings settings;

    private final SendRateLimit rateLimit;

    DeliveryStore(JdbcTemplate jdbc, PlatformTransactionManager txManager, OutboxWriter outbox,
                  TelegramSettings settings, SendRateLimit rateLimit) {
        this.rateLimit = rateLimit;
        this.jdbc = jdbc;
        this.tx = new TransactionTemplate(txManager);
        this.outbox = outbox;
        this.settings = settings;
    }

    /** A message claimed for sending: the lease is taken, the attempt counted. */
    record Claim(long deliveryId, int seq, JobId jobId, NoticeKind kind, ChatId chatId, OutgoingMessage message,
                 int attempt, boolean leaseExpired) {
    }

    /**
     * Records what must be sent, in the caller's transaction: one delivery per job notice (a second notice of the
     * same kind for the same job changes nothing), its messages due now. Returns false when it was already recorded.
     */
    boolean record(JobId jobId, NoticeKind kind, ChatId chatId, List<OutgoingMessage> messages, String causationId,
                   Instant now) {
        return record(jobId, kind, chatId, messages, causationId, now, now);
    }

    /** As {@link #record(JobId, NoticeKind, ChatId, List, String, Instant)}, its messages due at {@code due}. */
    boolean record(JobId jobId, NoticeKind kind, ChatId chatId, List<OutgoingMessage> messages, String causationId,
                   Instant now, Instant due) {
        List<Long> ids = jdbc.queryForList("""
                        insert into delivery (job_id, kind, chat_id, status, give_up_at, created_at, causation_id)
                        values (?, ?, ?, 'PENDING', ?, ?, ?)
                        on conflict (job_id, kind) do nothing
                        returning id""", Long.class,
                jobId.value(), kind.name(), chatId.value(), ts(now.plus(settings.patience())), ts(now), causationId);
        if (ids.isEmpty()) {
            return false;
        }
        long deliveryId = ids.getFirst();
        for (int seq = 0; seq < messages.size(); seq++) {
            OutgoingMessage m = messages.get(seq);
            jdbc.update("""
                            insert into delivery_message (delivery_id, seq, method, media_url, text, fallback_text,
                                                          parse_mode, upload, status, due_at)
                            values (?, ?, ?, ?, ?, ?, ?, ?, 'PENDING', ?)""",
                    deliveryId, seq, m.method().name(), m.mediaUrl(), m.text(), m.fallbackText(),
                    m.html() ? "HTML" : null, m.upload(), ts(due));
        }
        return true;
    }

    /**
     * In the caller's transaction: the job's result messages not sent yet end with the charge and the balance after
     * ({@code htmlLine} in an HTML caption, {@code plainLine} in a plain text and in the links sent instead of
     * media), and are due now if they were waiting for it. Returns how many messages changed.
     */
    int showCharge(JobId jobId, String htmlLine, String plainLine, Instant now) {
        return jdbc.update("""
                        update delivery_message m
                        set text = case when char_length(m.text) + char_length(?) > (case when m.method = 'SEND_MESSAGE'
                                                                      then ? else ? end) then m.text
                                        when m.parse_mode = 'HTML' then m.text || ? else m.text || ? end,
                            fallback_text = case when m.fallback_text is null
                                                   or char_length(m.fallback_text) + char_length(?) > ?
                                                 then m.fallback_text else m.fallback_text || ? end,
                            due_at = case when m.attempts = 0 and m.due_at > ? then ? else m.due_at end
                        from delivery d
                        where d.id = m.delivery_id and d.job_id = ? and d.kind = 'RESULT' and d.status = 'PENDING'
                          and m.status = 'PENDING' and m.text is not null""",
                // a line that would take a text past Telegram's limit is left out (the progress message has it)
                plainLine, OutgoingMessage.MAX_TEXT, OutgoingMessage.MAX_CAPTION, htmlLine, plainLine,
                plainLine, OutgoingMessage.MAX_TEXT, plainLine, ts(now), ts(now), jobId.value());
    }

    /**
     * Claims up to {@code limit} due messages, each the first unsent message of its delivery, in one short
     * transaction: each becomes SENDING with its attempt counted and a lease (its due time moved past now, so that
     * nobody else takes it). {@code SKIP LOCKED}: several instances share the queue without waiting on each other.
     */
    List<Claim> claim(int limit, Instant now) {
        return tx.execute(status -> {
            List<Claim> claims = jdbc.query("""
                            select m.delivery_id, m.seq, m.method, m.media_url, m.text, m.fallback_text, m.status,
                                   m.parse_mode, m.upload, m.attempts, d.job_id, d.kind, d.chat_id
                            from delivery_message m
                            join delivery d on d.id = m.delivery_id
                            where m.status in ('PENDING', 'SENDING') and m.due_at <= ? and d.status = 'PENDING'
                              and not exists (select 1 from delivery_message p
                                              where p.delivery_id = m.delivery_id and p.seq < m.seq
                                                and p.status in ('PENDING', 'SENDING'))
                            order by m.due_at
                            limit ?
                            for update of m skip locked""",
                    (rs, row) -> new Claim(rs.getLong("delivery_id"), rs.getInt("seq"),
                            new JobId(rs.getObject("job_id", UUID.class)), NoticeKind.valueOf(rs.getString("kind")),
                            new ChatId(rs.getLong("chat_id")),
                            new OutgoingMessage(TelegramMethod.valueOf(rs.getString("method")),
                                    rs.getString("media_url"), rs.getString("text"), rs.getString("fallback_text"),
                                    "HTML".equals(rs.getString("parse_mode")), rs.getBoolean("upload")),
                            rs.getInt("attempts") + 1, "SENDING".equals(rs.getString("status"))),
                    ts(now), limit);
            if (claims.isEmpty()) {
                return claims; // nothing due: the limiter row is not taken on an idle tick
            }
            // Telegram's flood limits, for every delivery-worker together: a message without a place stays due later
            SendRateLimit.Window window = rateLimit.open();
            List<Claim> taken = new java.util.ArrayList<>(claims.size());
            for (Claim c : claims) {
                long waitMs = window.take(c.chatId().value());
                if (waitMs > 0) {
                    jdbc.update("update delivery_message set due_at = ? where delivery_id = ? and seq = ?",
                            ts(now.plusMillis(waitMs)), c.deliveryId(), c.seq());
                    continue;
                }
                jdbc.update("""
                                update delivery_message set status = 'SENDING', attempts = ?, due_at = ?
                                where delivery_id = ? and seq = ?""",
                        c.attempt(), ts(now.plus(settings.lease())), c.deliveryId(), c.seq());
                taken.add(c);
            }
            return taken;
        });
    }

    /**
     * Records what one try came to, in its own transaction. When the claim is no longer this try's (its lease
     * expired and another try took the message), nothing is changed: that try will record its own outcome.
     */
    void recordOutcome(Claim c, SendOutcome outcome, Instant now) {
        tx.executeWithoutResult(status -> {
            String deliveryStatus = jdbc.queryForObject("select status from delivery where id = ? for update",
                    String.class, c.deliveryId());
            Integer current = jdbc.query("""
                            select attempts from delivery_message
                            where delivery_id = ? and seq = ? and status = 'SENDING'""",
                    rs -> rs.next() ? rs.getInt(1) : null, c.deliveryId(), c.seq());
            if (!"PENDING".equals(deliveryStatus) || current == null || current != c.attempt()) {
                log.atWarn().addKeyValue("jobId", c.jobId()).addKeyValue("chatId", c.chatId())
                        .addKeyValue("seq", c.seq()).addKeyValue("attempt", c.attempt())
                        .log("delivery.stale-outcome; another try owns the message now");
                return;
            }
            switch (outcome) {
                case SendOutcome.Sent s -> sent(c, s, now);
                case SendOutcome.MediaRefused r -> mediaRefused(c, r, now);
                case SendOutcome.RetryLater r -> retryLater(c, r, now);
                case SendOutcome.Refused r -> fail(c, r.reason(), r.errorCode(), r.detail(), now);
            }
        });
    }

    private void sent(Claim c, SendOutcome.Sent s, Instant now) {
        jdbc.update("""
                        update delivery_message set status = 'SENT', sent_at = ?, telegram_message_id = ?,
                                                    last_error = null
                        where delivery_id = ? and seq = ?""",
                ts(now), s.telegramMessageId(), c.deliveryId(), c.seq());
        Integer unsent = jdbc.queryForObject("""
                        select count(*) from delivery_message
                        where delivery_id = ? and status in ('PENDING', 'SENDING')""",
                Integer.class, c.deliveryId());
        if (unsent != null && unsent > 0) {
            return;
        }
        Integer messages = jdbc.queryForObject(
                "select count(*) from delivery_message where delivery_id = ? and status = 'SENT'",
                Integer.class, c.deliveryId());
        finish(c, "DELIVERED", null, now);
        outbox.append(new DeliveryEvent.ResultDelivered(c.jobId(), c.chatId(), c.kind(), messages, now),
                c.jobId().toString(), causationOf(c));
        log.atInfo().addKeyValue("jobId", c.jobId()).addKeyValue("chatId", c.chatId()).addKeyValue("kind", c.kind())
                .addKeyValue("messages", messages).log("delivery.sent");
    }

    /**
     * Telegram could not take the media by its URL (it could not fetch it, or the file is over the by-URL limits):
     * the worker downloads and uploads it, at once. When that fails too (too big to upload, not downloadable), the
     * item becomes the text with every link, and the later items are skipped.
     */
    private void mediaRefused(Claim c, SendOutcome.MediaRefused r, Instant now) {
        if (!c.message().method().isMedia() || c.message().fallbackText() == null) {
            fail(c, DeliveryFailureReason.REJECTED_BY_TELEGRAM, r.errorCode(), r.detail(), now);
            return;
        }
        if (!c.message().upload()) {
            jdbc.update("""
                            update delivery_message set upload = true, status = 'PENDING', due_at = ?, last_error = ?
                            where delivery_id = ? and seq = ?""",
                    ts(now), error(r.errorCode(), r.detail()), c.deliveryId(), c.seq());
            log.atInfo().addKeyValue("jobId", c.jobId()).addKeyValue("chatId", c.chatId())
                    .addKeyValue("telegramErrorCode", r.errorCode())
                    .log("delivery.media-refused-by-url; downloading and uploading it");
            return;
        }
        OutgoingMessage text = c.message().asFallbackText();
        jdbc.update("""
                        update delivery_message set method = ?, media_url = null, text = ?, fallback_text = null,
                                                    parse_mode = null, upload = false,
                                                    status = 'PENDING', due_at = ?, last_error = ?
                        where delivery_id = ? and seq = ?""",
                text.method().name(), text.text(), ts(now), error(r.errorCode(), r.detail()), c.deliveryId(),
                c.seq());
        jdbc.update("update delivery_message set status = 'SKIPPED' where delivery_id = ? and seq > ?",
                c.deliveryId(), c.seq());
        log.atInfo().addKeyValue("jobId", c.jobId()).addKeyValue("chatId", c.chatId())
                .addKeyValue("telegramErrorCode", r.errorCode())
                .log("delivery.media-refused; sending the link as text");
    }

    private void retryLater(Claim c, SendOutcome.RetryLater r, Instant now) {
        Instant giveUpAt = jdbc.queryForObject("select give_up_at from delivery where id = ?", Timestamp.class,
                c.deliveryId()).toInstant();
        if (!now.isBefore(giveUpAt)) {
            fail(c, DeliveryFailureReason.RETRIES_EXHAUSTED, r.errorCode(), r.detail(), now);
            return;
        }
        Duration wait = r.retryAfter() != null ? r.retryAfter() : settings.backOff(c.attempt());
        Instant due = now.plus(wait);
        if (due.isAfter(giveUpAt)) {
            due = giveUpAt;
        }
        jdbc.update("""
                        update delivery_message set status = 'PENDING', due_at = ?, last_error = ?
                        where delivery_id = ? and seq = ?""",
                ts(due), error(r.errorCode(), r.detail()), c.deliveryId(), c.seq());
        if (r.retryAfter() != null) {
            // Telegram's flood control is per chat: this chat's other messages wait as long; other chats do not
            jdbc.update("""
                            update delivery_message m set due_at = ?
                            from delivery d
                            where d.id = m.delivery_id and d.chat_id = ? and d.status = 'PENDING'
                              and m.status = 'PENDING' and m.due_at < ?""",
                    ts(due), c.chatId().value(), ts(due));
            log.atWarn().addKeyValue("jobId", c.jobId()).addKeyValue("chatId", c.chatId())
                    .addKeyValue("retryAfterSeconds", r.retryAfter().toSeconds()).addKeyValue("attempt", c.attempt())
                    .log("telegram.rate-limited; this chat's messages wait retry_after");
        } else {
            log.atWarn().addKeyValue("jobId", c.jobId()).addKeyValue("chatId", c.chatId())
                    .addKeyValue("telegramErrorCode", r.errorCode()).addKeyValue("attempt", c.attempt())
                    .addKeyValue("retryInMs", wait.toMillis()).addKeyValue("reason", r.detail())
                    .log("delivery.retry-scheduled");
        }
    }

    private void fail(Claim c, DeliveryFailureReason reason, int errorCode, String detail, Instant now) {
        jdbc.update("""
                        update delivery_message set status = 'SKIPPED', last_error = ?
                        where delivery_id = ? and status in ('PENDING', 'SENDING')""",
                error(errorCode, detail), c.deliveryId());
        finish(c, "FAILED", reason, now);
        outbox.append(new DeliveryEvent.DeliveryFailed(c.jobId(), c.chatId(), c.kind(), reason, errorCode,
                String.valueOf(detail), now), c.jobId().toString(), causationOf(c));
        log.atWarn().addKeyValue("jobId", c.jobId()).addKeyValue("chatId", c.chatId()).addKeyValue("kind", c.kind())
                .addKeyValue("reason", reason).addKeyValue("telegramErrorCode", errorCode)
                .addKeyValue("attempt", c.attempt()).log("delivery.failed");
    }

    private void finish(Claim c, String status, DeliveryFailureReason reason, Instant now) {
        jdbc.update("update delivery set status = ?, finished_at = ?, failure_reason = ? where id = ?",
                status, ts(now), reason == null ? null : reason.name(), c.deliveryId());
    }

    private String causationOf(Claim c) {
        return jdbc.queryForObject("select causation_id from delivery where id = ?", String.class, c.deliveryId());
    }

    private static String error(int code, String detail) {
        String s = code + ": " + detail;
        return Limits.cut(s, MAX_ERROR);
    }

    private static Timestamp ts(Instant i) {
        return Timestamp.from(i);
    }
}
