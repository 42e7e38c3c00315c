package io.kiepipeline.orchestrator.jobs;

import io.kiepipeline.platform.consuming.ContentRefusal;
import io.kiepipeline.platform.messaging.Envelopes;
import io.kiepipeline.schemas.GatewayEvent.GenerationRequested;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/** What the orchestrator consumes: requests and callbacks, the ledger's answers, KIE's answers, deliveries. */
@Component
class JobListeners {
    private final JobService jobs;

    JobListeners(JobService jobs) {
        this.jobs = jobs;
    }

    @KafkaListener(id = "orchestrator-gateway-events", topics = "gateway.events")
    void onGatewayEvent(ConsumerRecord<String, String> record) {
        // a request whose content the database refuses would be refused on every try: reject the job instead
        ContentRefusal.handle(Envelopes.read(record), jobs::handle, GenerationRequested.class, jobs::refuseRequest);
    }

    @KafkaListener(id = "orchestrator-ledger-events", topics = "ledger.events")
    void onLedgerEvent(ConsumerRecord<String, String> record) {
        jobs.handle(Envelopes.read(record));
    }

    @KafkaListener(id = "orchestrator-kie-events", topics = "kie-worker.events")
    void onKieEvent(ConsumerRecord<String, String> record) {
        jobs.handle(Envelopes.read(record));
    }

    @KafkaListener(id = "orchestrator-delivery-events", topics = "delivery-worker.events")
    void onDeliveryEvent(ConsumerRecord<String, String> record) {
        jobs.handle(Envelopes.read(record));
    }
}
