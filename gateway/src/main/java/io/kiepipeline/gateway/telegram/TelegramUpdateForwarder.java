package io.kiepipeline.gateway.telegram;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kiepipeline.gateway.publishing.Publisher;
import io.kiepipeline.schemas.Limits;
import io.kiepipeline.schemas.TelegramUpdate.TelegramUpdateReceived;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.telegram.telegrambots.longpolling.interfaces.LongPollingUpdateConsumer;
import org.telegram.telegrambots.meta.api.objects.Update;

/**
 * Puts each Telegram update on {@code gateway.telegram-updates} as Telegram sent it, without interpreting it: the bot
 * service reads it (ADR 11). An update is acknowledged to Telegram only once Kafka has it:
 * <ul>
 *   <li>long polling: {@link #consume} returns only when every update of the batch is on the topic (the next
 *       getUpdates, which confirms them, is sent after it). While Kafka does not take them the poller asks again,
 *       its pace set by the producer's own timeouts, and polls nothing new; if its lease ends meanwhile it is
 *       stopped, the updates stay unconfirmed, and the next poller gets them from Telegram again.</li>
 *   <li>the webhook: {@link #publish} either puts the update on the topic or throws, and the webhook answers 503 so
 *       that Telegram sends it again.</li>
 * </ul>
 * Either way an update may be published twice (a lost ack, a second gateway); the bot handles each {@code update_id}
 * once. An update over {@link Limits#TELEGRAM_UPDATE} is not something Telegram sends: it is dropped with a warning.
 *
 * <p>The long-polling library parses each update into its own classes; the JSON forwarded is the one Telegram sent,
 * which {@link TolerantGetUpdates} keeps in its {@link Session}'s map (by update id) for the session to take. Each
 * start of the polling is a new session: one that was stopped while it waited for Kafka gives up (its updates stay
 * unconfirmed) and never touches the next session's updates.
 *
 * <p>An update over {@link Limits#TELEGRAM_UPDATE} is not something Telegram sends; rather than dropping it (and
 * leaving the user unanswered), a stub with its id, its chat and its sender is published, which the bot answers.
 */
public class TelegramUpdateForwarder {
    private static final Logger log = LoggerFactory.getLogger(TelegramUpdateForwarder.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration RETRY_PAUSE = Duration.ofMillis(500);
    private static final List<String> WITH_CHAT = List.of("message", "edited_message", "channel_post",
            "edited_channel_post", "business_message", "my_chat_member", "chat_member", "chat_join_request");
    private static final List<String> WITH_SENDER = List.of("callback_query", "pre_checkout_query", "shipping_query",
            "inline_query", "chosen_inline_result", "poll_answer", "message_reaction", "purchased_paid_media");

    private final Publisher publisher;
    private final Clock clock;

    public TelegramUpdateForwarder(Publisher publisher, Clock clock) {
        this.publisher = publisher;
        this.clock = clock;
    }

    /** A new polling session: its own updates, and its own stop. */
    public Session session() {
        return new Session();
    }

    /** One run of the long polling, from its start to its stop. */
    public final class Session implements LongPollingUpdateConsumer {
        private final Map<Integer, String> raw = new ConcurrentHashMap<>();
        private volatile boolean stopped;

        /** Where {@link TolerantGetUpdates} leaves each update's JSON for {@link #consume}. */
        Map<Integer, String> raw() {
            return raw;
        }

        /**
         * The batch holds the long poll's own thread (not a Kafka consumer's) until Kafka takes it: that is what keeps
         * the update unconfirmed at Telegram. Between tries it waits on the session, which a stop wakes at once.
         */
        private synchronized void pauseBeforeTheNextTry() {
            if (stopped) {
                return;
            }
            try {
                wait(RETRY_PAUSE.toMillis());
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                stopped = true;
            }
        }

        /** The session ends: a batch waiting for Kafka gives up at once, unconfirmed. */
        public void stop() {
            synchronized (this) {
                stopped = true;
                notifyAll();
            }
        }

        /** Returns when the whole batch is on the topic; stopped meanwhile, it gives up and the batch stays unconfirmed. */
        @Override
        public void consume(List<Update> updates) {
            for (Update update : updates) {
                String json = raw.remove(update.getUpdateId());
                if (json == null) {
                    // TolerantGetUpdates makes an update only together with its JSON: this cannot happen
                    log.atError().addKeyValue("updateId", update.getUpdateId())
                            .log("telegram.update-lost; its JSON was not kept");
                    continue;
                }
                int tries = 0;
                while (true) {
                    if (stopped) {
                        throw new IllegalStateException("the poller stopped before Kafka took update "
                                + update.getUpdateId() + "; Telegram keeps it unconfirmed");
                    }
                    try {
                        publish(json);
                        break;
                    } catch (RuntimeException e) {
                        // Publisher.Unavailable, or anything else the producer throws: the update stays here
                        if (++tries == 1 || tries % 20 == 0) {
                            log.atWarn().addKeyValue("updateId", update.getUpdateId()).addKeyValue("tries", tries)
                                    .addKeyValue("reason", reason(e))
                                    .log("telegram.update-unpublished; not confirmed to Telegram, trying again");
                        }
                        pauseBeforeTheNextTry();
                    }
                }
            }
        }
    }

    /**
     * Publishes one update (its JSON as Telegram sent it; a stub of it when it is larger than Telegram sends) and
     * returns once Kafka acked it.
     *
     * @return false when it was not an update (no update_id), which is not published
     * @throws Publisher.Unavailable when Kafka did not take it
     */
    public boolean publish(String json) {
        JsonNode node;
        try {
            node = JSON.readTree(json);
        } catch (java.io.IOException e) {
            node = null;
        }
        if (node == null || !node.path("update_id").canConvertToLong()) {
            log.atWarn().log("telegram.update-unreadable; without an update_id, dropped");
            return false;
        }
        long updateId = node.get("update_id").asLong();
        String published = json;
        if (json.length() > Limits.TELEGRAM_UPDATE) {
            log.atWarn().addKeyValue("updateId", updateId).addKeyValue("chars", json.length())
                    .log("telegram.update-too-large; a stub is published for the bot to answer");
            published = stub(node).toString();
        }
        publisher.publish(new TelegramUpdateReceived(updateId, chatKey(node), published, clock.instant()),
                "telegram-update:" + updateId);
        log.atDebug().addKeyValue("updateId", updateId).log("telegram.update-published");
        return true;
    }

    /** What the bot needs to answer an update it cannot have: its id, its kind, the chat and the person. */
    static ObjectNode stub(JsonNode update) {
        ObjectNode stub = JSON.createObjectNode();
        stub.put("update_id", update.get("update_id").asLong());
        stub.put("oversized", true);
        update.properties().forEach(e -> {
            JsonNode part = e.getValue();
            if (part.isObject()) {
                ObjectNode kept = stub.putObject(e.getKey());
                for (String field : List.of("message_id", "id", "date", "chat", "from")) {
                    JsonNode v = part.get(field);
                    if (v != null && v.toString().length() <= 2_000) {
                        kept.set(field, v);
                    }
                }
            }
        });
        return stub;
    }

    /** The chat an update belongs to, or the person who caused it; 0 when it names neither. */
    static long chatKey(JsonNode update) {
        for (String kind : WITH_CHAT) {
            long chat = update.path(kind).path("chat").path("id").asLong(0);
            if (chat != 0) {
                return chat;
            }
        }
        for (String kind : WITH_SENDER) {
            JsonNode u = update.path(kind);
            long chat = u.path("message").path("chat").path("id").asLong(0);
            if (chat != 0) {
                return chat;
            }
            long from = u.path("from").path("id").asLong(u.path("user").path("id").asLong(0));
            if (from != 0) {
                return from;
            }
        }
        return 0;
    }

    private static String reason(Throwable e) {
        Throwable cause = e.getCause() != null ? e.getCause() : e;
        return cause.getClass().getSimpleName() + ": " + cause.getMessage();
    }
}
