package io.kiepipeline.allinone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kiepipeline.allinone.EmbeddedPipeline.Service;
import io.kiepipeline.platform.outbox.OutboxRelay;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The outbox's promise: a message committed with its business write is published, even when the service stops
 * between the commit and the publish; and a message published twice still has its effect once.
 */
class OutboxRecoveryPipelineTest extends PipelineTest {
    @Test
    void publishesWhatWasCommittedBeforeTheServiceStoppedWithEffectOnce() {
        long user = aUserWithBalance(10_000);
        String prompt = aPrompt("a fox that survived a crash");
        OutboxRelay relay = pipeline.context(Service.ORCHESTRATOR).getBean(OutboxRelay.class);
        relay.stop();

        String jobId = request(user, "nano-banana-pro", prompt);
        await().atMost(PATIENCE).until(() -> db.count(
                "select count(*) from orchestrator.job where job_id = ?::uuid", jobId) == 1);
        assertThat(db.count("select count(*) from orchestrator.outbox_message where correlation_id = ? "
                + "and published_at is null", jobId)).as("JobCreated and PlaceHold, committed, not published")
                .isEqualTo(2);
        await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(2))
                .until(() -> held(user) == 0 && kie.callsFor(prompt).isEmpty());

        pipeline.restartService(Service.ORCHESTRATOR);

        awaitStatus(jobId, "DELIVERED");
        assertThat(kie.callsFor(prompt)).hasSize(1);
        assertThat(capturesOf(jobId)).isEqualTo(1);
        assertThat(available(user)).isEqualTo(10_000 - 1500);
    }

    @Test
    void aMessagePublishedTwiceHasItsEffectOnce() {
        long user = aUserWithBalance(10_000);
        String prompt = aPrompt("a fox published twice");
        String jobId = request(user, "nano-banana-pro", prompt);
        awaitStatus(jobId, "DELIVERED");

        // as if the relay crashed after the broker acked but before it marked the rows published
        int republished = db.update("update orchestrator.outbox_message set published_at = null "
                + "where correlation_id = ?", jobId) + db.update("update kie_worker.outbox_message "
                + "set published_at = null where correlation_id = ?", jobId) + db.update(
                "update ledger.outbox_message set published_at = null where correlation_id = ?", jobId);
        assertThat(republished).isGreaterThanOrEqualTo(8);
        pipeline.context(Service.ORCHESTRATOR).getBean(OutboxRelay.class).wakeUp();
        await().atMost(PATIENCE).until(() -> db.count("select count(*) from orchestrator.outbox_message "
                + "where correlation_id = ? and published_at is null", jobId) == 0
                && db.count("select count(*) from ledger.outbox_message where correlation_id = ? "
                + "and published_at is null", jobId) == 0);

        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() ->
                kie.callsFor(prompt).size() == 1 && capturesOf(jobId) == 1
                        && telegram.sentTo(user).size() == 1);
        assertThat(api.job(jobId).body().path("status").asString()).isEqualTo("DELIVERED");
        assertThat(available(user)).isEqualTo(10_000 - 1500);
        assertThat(held(user)).isZero();
    }
}
