package io.kiepipeline.allinone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kiepipeline.platform.deadletters.DeadLetterReplay;
import org.junit.jupiter.api.Test;

/** An operator fixes what made a message fail and replays it from the dead-letter topic: it takes effect once. */
class DeadLetterReplayPipelineTest extends PipelineTest {
    @Test
    void appliesAReplayedTopUpOnceHoweverOftenItIsReplayed() throws Exception {
        long user = aNewUser();
        String key = Long.toString(user);
        String reference = "blocked-" + user;
        // a fault no retry cures (like a bug): the ledger's table fails this top-up until the operator removes it
        try (AutoCloseable blocked = db.blockDeposit(user, reference)) {
            assertThat(api.deposit(user, 4_200, reference).status()).isEqualTo(202);
            var replay = new DeadLetterReplay(pipeline.kafkaBootstrapServers());
            await().atMost(PATIENCE).until(() -> replay.list("ledger.commands").stream()
                    .anyMatch(l -> key.equals(l.key())));
            assertThat(available(user)).isZero();
        }

        var replay = new DeadLetterReplay(pipeline.kafkaBootstrapServers());
        assertThat(replay.replay("ledger.commands", key)).singleElement()
                .satisfies(l -> assertThat(l.type()).isEqualTo("ledger.deposit-requested.v1"));
        await().atMost(PATIENCE).until(() -> available(user) == 4_200);

        // replayed again: the same event id, so the ledger applies it once
        assertThat(replay.replay("ledger.commands", key)).hasSize(1);
        // a later top-up on the same key is applied after the replayed one: once it shows, the replay was handled
        assertThat(api.deposit(user, 1, "after-replay-" + user).status()).isEqualTo(202);
        await().atMost(PATIENCE).until(() -> available(user) == 4_201);
        assertThat(db.count("select count(*) from ledger.deposit where reference = ?", reference)).isEqualTo(1);
    }
}
