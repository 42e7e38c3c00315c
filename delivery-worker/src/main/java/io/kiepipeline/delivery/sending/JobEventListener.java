package io.kiepipeline.delivery.sending;

import io.kiepipeline.platform.messaging.Envelopes;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

@Component
class JobEventListener {
    private final Delivery delivery;

    JobEventListener(Delivery delivery) {
        this.delivery = delivery;
    }

    @KafkaListener(id = "delivery-worker-job-events", topics = "orchestrator.events",
            concurrency = "${pipeline.telegram.concurrency:2}")
    void on(ConsumerRecord<String, String> record) {
        delivery.handle(Envelopes.read(record));
    }
}
