package io.kiepipeline.platform.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kiepipeline.schemas.Headers;
import io.kiepipeline.schemas.Ids;
import io.kiepipeline.schemas.JobId;
import io.kiepipeline.schemas.LedgerCommand.CaptureHold;
import io.kiepipeline.schemas.MessageCodec.UnreadableMessageException;
import io.kiepipeline.schemas.UserId;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

class EnvelopesTest {
    private final JobId job = new JobId(UUID.randomUUID());
    private final CaptureHold command = new CaptureHold(Ids.holdIdForJob(job), job, new UserId(7));

    @Test
    void writesTheEnvelopeHeadersAndReadsThemBack() {
        ProducerRecord<String, String> out = Envelopes.record(command, job.toString());

        assertThat(out.topic()).isEqualTo("ledger.commands");
        assertThat(out.key()).isEqualTo("7");
        assertThat(header(out, Headers.EVENT_TYPE)).isEqualTo("ledger.capture-hold.v1");
        assertThat(header(out, Headers.SCHEMA_VERSION)).isEqualTo("1");
        assertThat(header(out, Headers.CORRELATION_ID)).isEqualTo(job.toString());
        Envelope in = Envelopes.read(toConsumerRecord(out));
        assertThat(in.message()).isEqualTo(command);
        assertThat(in.eventId().toString()).isEqualTo(header(out, Headers.EVENT_ID));
    }

    @Test
    void refusesARecordWithoutItsTypeHeader() {
        ConsumerRecord<String, String> r = new ConsumerRecord<>("ledger.commands", 0, 0, "7", "{}");

        assertThatThrownBy(() -> Envelopes.read(r)).isInstanceOf(UnreadableMessageException.class)
                .hasMessageContaining("event-type");
    }

    @Test
    void refusesARecordWhosePayloadDoesNotFitItsType() {
        ProducerRecord<String, String> out = Envelopes.record(command, null);
        ConsumerRecord<String, String> r = toConsumerRecord(new ProducerRecord<>(out.topic(), null, out.key(),
                "{\"holdId\":42}", out.headers()));

        assertThatThrownBy(() -> Envelopes.read(r)).isInstanceOf(UnreadableMessageException.class);
    }

    private static ConsumerRecord<String, String> toConsumerRecord(ProducerRecord<String, String> p) {
        ConsumerRecord<String, String> c = new ConsumerRecord<>(p.topic(), 0, 0, p.key(), p.value());
        p.headers().forEach(h -> c.headers().add(h));
        return c;
    }

    private static String header(ProducerRecord<String, String> r, String name) {
        return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }
}
