package io.kiepipeline.delivery.sending;

import io.kiepipeline.platform.messaging.Envelopes;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/** The bot's chat commands, in order per chat (the topic's key). */
@Component
class ChatCommandListener {
    private final ChatCommands commands;

    ChatCommandListener(ChatCommands commands) {
        this.commands = commands;
    }

    @KafkaListener(id = "delivery-worker-chat-commands", topics = "bot.chat-commands",
            concurrency = "${pipeline.telegram.concurrency:2}")
    void on(ConsumerRecord<String, String> record) {
        commands.handle(Envelopes.read(record));
    }
}
