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

    /** The ledger's captures: the balance after a job's charge, for its progress message. */
    @KafkaListener(id = "delivery-worker-ledger-events", topics = "ledger.events")
    void onLedger(ConsumerRecord<String, String> record) {
        io.kiepipeline.platform.messaging.Envelope envelope = Envelopes.read(record);
        if (envelope.message() instanceof io.kiepipeline.schemas.LedgerEvent.HoldCaptured) {
            delivery.charged(envelope);
        }
    }
}
