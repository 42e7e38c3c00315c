package io.kiepipeline.bot.service;

import io.kiepipeline.platform.messaging.Envelopes;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/** The Telegram updates the gateway took, in order per chat (the topic's key). */
@Component
class UpdateListener {
    private final UpdateHandler handler;

    UpdateListener(UpdateHandler handler) {
        this.handler = handler;
    }

    @KafkaListener(id = "bot-updates", topics = "gateway.telegram-updates")
    void on(ConsumerRecord<String, String> record) {
        handler.handle(Envelopes.read(record));
    }
}
