package io.kiepipeline.kieworker.tasks;

import io.kiepipeline.platform.messaging.Envelopes;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

@Component
class KieCommandListener {
    private final KieTaskService service;

    KieCommandListener(KieTaskService service) {
        this.service = service;
    }

    @KafkaListener(id = "kie-worker-commands", topics = "kie-worker.commands",
            concurrency = "${pipeline.kie.concurrency:2}")
    void on(ConsumerRecord<String, String> record) {
        service.handle(Envelopes.read(record));
    }
}
