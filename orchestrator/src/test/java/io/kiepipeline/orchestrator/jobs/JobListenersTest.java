package io.kiepipeline.orchestrator.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.kiepipeline.schemas.Headers;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** The order in which a polled batch locks job rows: the same for every topic, whatever the topic is keyed by. */
class JobListenersTest {
    @Test
    void aLedgerEventKeyedByUserLocksTheJobItsCorrelationIdNames() {
        ConsumerRecord<String, String> record = new ConsumerRecord<>("ledger.events", 0, 0, "42", "{}");
        record.headers().add(Headers.CORRELATION_ID, "7f1c0000-0000-0000-0000-000000000001"
                .getBytes(StandardCharsets.UTF_8));

        assertThat(JobListeners.jobOf(record)).isEqualTo("7f1c0000-0000-0000-0000-000000000001");
    }

    @Test
    void aJobsIdSpelledInCapitalsSortsWithItsOtherRecords() {
        // a callback's correlation id came from the URL's path as it was posted (UUID.fromString takes capitals)
        ConsumerRecord<String, String> record = new ConsumerRecord<>("gateway.events", 0, 0,
                "7f1c0000-0000-0000-0000-00000000000a", "{}");
        record.headers().add(Headers.CORRELATION_ID, "7F1C0000-0000-0000-0000-00000000000A"
                .getBytes(StandardCharsets.UTF_8));

        assertThat(JobListeners.jobOf(record)).isEqualTo("7f1c0000-0000-0000-0000-00000000000a");
    }

    @Test
    void aRecordWithoutACorrelationIdIsOrderedByItsKey() {
        ConsumerRecord<String, String> record = new ConsumerRecord<>("kie-worker.events", 0, 0,
                "7f1c0000-0000-0000-0000-000000000002", "{}");

        assertThat(JobListeners.jobOf(record)).isEqualTo("7f1c0000-0000-0000-0000-000000000002");
        record.headers().add(Headers.CORRELATION_ID, "not a job".getBytes(StandardCharsets.UTF_8));
        assertThat(JobListeners.jobOf(record)).isEqualTo("7f1c0000-0000-0000-0000-000000000002");
    }
}
