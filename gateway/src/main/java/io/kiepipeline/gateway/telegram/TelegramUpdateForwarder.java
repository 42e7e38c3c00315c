package io.kiepipeline.gateway.telegram;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
 * which {@link TolerantGetUpdates} keeps in {@link #raw} (by update id) for this consumer to take.
 */
public class TelegramUpdateForwarder implements LongPollingUpdateConsumer {
    private static final Logger log = LoggerFactory.getLogger(TelegramUpdateForwarder.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration RETRY_PAUSE = Duration.ofMillis(500);
    private static final List<String> WITH_CHAT = List.of("message", "edited_message", "channel_post",
            "edited_channel_post", "business_message", "my_chat_member", "chat_member", "chat_join_request");
    private static final List<String> WITH_SENDER = List.of("callback_query", "pre_checkout_query", "shipping_query",
            "inline_query", "chosen_inline_result", "poll_answer", "message_reaction", "purchased_paid_media");

    private final Publisher publisher;
    private final Clock clock;
    private final Map<Integer, String> raw = new ConcurrentHashMap<>();

    public TelegramUpdateForwarder(Publisher publisher, Clock clock) {
        this.publisher = publisher;
        this.clock = clock;
    }

    /** Where {@link TolerantGetUpdates} leaves each update's JSON for {@link #consume}. */
    Map<Integer, String> raw() {
        return raw;
    }

    /** Long polling: returns when the whole batch is on the topic; interrupted (the poller stops), it gives up. */
    @Override
    public void consume(List<Update> updates) {
        for (Update update : updates) {
            String json = raw.remove(update.getUpdateId());
            if (json == null) {
                continue; // read by TolerantGetUpdates as unusable, and logged there
            }
            int tries = 0;
            while (true) {
                try {
                    publish(json);
                    break;
                } catch (Publisher.Unavailable e) {
                    if (++tries == 1 || tries % 20 == 0) {
                        log.atWarn().addKeyValue("updateId", update.getUpdateId()).addKeyValue("tries", tries)
                                .addKeyValue("reason", reason(e))
                                .log("telegram.update-unpublished; not confirmed to Telegram, trying again");
                    }
                    try {
                        // the long-poll thread, not a Kafka consumer's: it has nothing else to do until Kafka is back
                        Thread.sleep(RETRY_PAUSE);
                    } catch (InterruptedException stopping) {
                        Thread.currentThread().interrupt();
                        raw.clear();
                        throw new IllegalStateException("the poller stopped before Kafka took update "
                                + update.getUpdateId() + "; Telegram keeps it unconfirmed");
                    }
                }
            }
        }
    }

    /**
     * Publishes one update (its JSON as Telegram sent it) and returns once Kafka acked it.
     *
     * @return false when it was not an update worth publishing (no update_id, over the size limit)
     * @throws Publisher.Unavailable when Kafka did not take it
     */
    public boolean publish(String json) {
        if (json.length() > Limits.TELEGRAM_UPDATE) {
            log.atWarn().addKeyValue("chars", json.length()).log("telegram.update-too-large; dropped");
            return false;
        }
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
        publisher.publish(new TelegramUpdateReceived(updateId, chatKey(node), json, clock.instant()),
                "telegram-update:" + updateId);
        log.atDebug().addKeyValue("updateId", updateId).log("telegram.update-published");
        return true;
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
