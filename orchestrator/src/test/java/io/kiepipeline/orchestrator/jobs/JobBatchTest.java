package io.kiepipeline.orchestrator.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.kiepipeline.platform.messaging.Envelopes;
import io.kiepipeline.schemas.ChatId;
import io.kiepipeline.schemas.GatewayEvent.GenerationRequested;
import io.kiepipeline.schemas.JobId;
import io.kiepipeline.schemas.Language;
import io.kiepipeline.schemas.Message;
import io.kiepipeline.schemas.RequestSource;
import io.kiepipeline.schemas.UserId;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The orchestrator's polled batches on a real PostgreSQL, without Kafka: the listener is handed a batch as the
 * container would hand it. What a batch must keep from one record at a time: the usage limits see the jobs made
 * earlier in the same batch, and a copy of a request in the same batch makes one job.
 */
class JobBatchTest extends OrchestratorDatabaseTest {
    private static final AtomicLong USERS = new AtomicLong(2_000);

    @Autowired
    JobListeners listeners;
    @Autowired
    JdbcTemplate jdbc;

    @Test
    void aUsersSecondRequestInTheSameBatchIsCountedAgainstTheLimitOfOneRunningJob() {
        UserId user = new UserId(USERS.incrementAndGet());
        GenerationRequested first = request(user, new JobId(UUID.randomUUID()));
        GenerationRequested second = request(user, new JobId(UUID.randomUUID()));

        listeners.onGatewayEvents(List.of(record(first), record(second)));

        assertThat(jdbc.queryForList("select status from job where user_id = ? order by status", String.class,
                user.value())).containsExactly("AWAITING_HOLD", "REJECTED");
    }

    @Test
    void aCopyOfARequestInTheSameBatchMakesOneJob() {
        UserId user = new UserId(USERS.incrementAndGet());
        GenerationRequested request = request(user, new JobId(UUID.randomUUID()));

        // the gateway sent it twice (its answer was lost, the client asked again): two events, one job
        listeners.onGatewayEvents(List.of(record(request), record(request)));

        assertThat(jdbc.queryForObject("select count(*) from job where user_id = ?", Long.class, user.value()))
                .isEqualTo(1);
        assertThat(jdbc.queryForObject("select count(*) from outbox_message where correlation_id = ?"
                + " and event_type = 'ledger.place-hold.v1'", Long.class, request.jobId().toString()))
                .as("one hold asked for").isEqualTo(1);
    }

    private static GenerationRequested request(UserId user, JobId job) {
        return new GenerationRequested(job, "key-" + job, user, new ChatId(user.value()), "nano-banana-pro",
                Map.of("prompt", "a fox"), Instant.now(), RequestSource.API, null, Language.EN, null);
    }

    private static ConsumerRecord<String, String> record(Message message) {
        var produced = Envelopes.record(message, message.key());
        var record = new ConsumerRecord<>(produced.topic(), 0, 0, produced.key(), produced.value());
        produced.headers().forEach(h -> record.headers().add(h));
        return record;
    }
}
