package io.kiepipeline.orchestrator.jobs;

import io.kiepipeline.platform.consuming.BatchTransactions;
import io.kiepipeline.platform.consuming.ContentRefusal;
import io.kiepipeline.platform.messaging.Envelopes;
import io.kiepipeline.schemas.GatewayEvent.GenerationRequested;
import io.kiepipeline.schemas.Headers;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * What the orchestrator consumes: requests and callbacks, the ledger's answers, KIE's answers, deliveries. Each
 * polled batch is applied in one transaction (at most 100 records, so that no job row stays locked long), and again
 * record by record when one of them fails ({@link BatchTransactions}).
 */
@Component
class JobListeners {
    /** At most this many records a batch: no job row stays locked long. */
    private static final String BATCH = "max.poll.records=100";
    private final JobService jobs;
    private final BatchTransactions batches;

    JobListeners(JobService jobs, BatchTransactions batches) {
        this.jobs = jobs;
        this.batches = batches;
    }

    @KafkaListener(id = "orchestrator-gateway-events", topics = "gateway.events", batch = "true",
            properties = BATCH)
    void onGatewayEvents(List<ConsumerRecord<String, String>> records) {
        // alone, a request whose content the database refuses would be refused on every try: reject the job instead
        batches.apply(records, JobListeners::jobOf, r -> jobs.handle(Envelopes.read(r)),
                r -> ContentRefusal.handle(Envelopes.read(r), jobs::handle, GenerationRequested.class,
                        jobs::refuseRequest));
    }

    @KafkaListener(id = "orchestrator-ledger-events", topics = "ledger.events", batch = "true",
            properties = BATCH)
    void onLedgerEvents(List<ConsumerRecord<String, String>> records) {
        apply(records);
    }

    @KafkaListener(id = "orchestrator-kie-events", topics = "kie-worker.events", batch = "true",
            properties = BATCH)
    void onKieEvents(List<ConsumerRecord<String, String>> records) {
        apply(records);
    }

    @KafkaListener(id = "orchestrator-delivery-events", topics = "delivery-worker.events", batch = "true",
            properties = BATCH)
    void onDeliveryEvents(List<ConsumerRecord<String, String>> records) {
        apply(records);
    }

    private void apply(List<ConsumerRecord<String, String>> records) {
        batches.apply(records, JobListeners::jobOf, r -> jobs.handle(Envelopes.read(r)),
                r -> jobs.handle(Envelopes.read(r)));
    }

    /**
     * The job a record locks, so that every batch locks job rows in one order: its correlation id (the job's id on
     * every message about a job), else its key. The ledger's events are keyed by user, and a batch of them taken in
     * users' order would lock jobs in another order than a batch of KIE's events does (a deadlock, seen in the
     * benchmark). The header is read as a UUID and written back in its one spelling, so that a job's records sort
     * together whatever spelling a producer used; a record without it (or with no UUID in it) is ordered by its key,
     * which only risks a deadlock's retry.
     */
    static String jobOf(ConsumerRecord<String, String> record) {
        org.apache.kafka.common.header.Header correlation = record.headers().lastHeader(Headers.CORRELATION_ID);
        if (correlation != null && correlation.value() != null) {
            try {
                return java.util.UUID.fromString(new String(correlation.value(),
                        java.nio.charset.StandardCharsets.UTF_8)).toString();
            } catch (IllegalArgumentException e) {
                // not a job's id: the key's order
            }
        }
        return record.key();
    }
}
