package io.kiepipeline.allinone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kiepipeline.emulators.TelegramEmulator;
import io.kiepipeline.gateway.telegram.PollerElection;
import io.kiepipeline.gateway.telegram.TelegramPolling;
import java.net.URI;
import java.util.ArrayList;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.junit.jupiter.api.Test;
import org.telegram.telegrambots.meta.TelegramUrl;

/**
 * Several gateways, one Telegram poller: exactly one holds the lease, never two at once (Telegram would answer 409),
 * and when the poller dies another takes over within 30 s; one that stops hands over at once.
 */
class TelegramPollerElectionPipelineTest extends PipelineTest {
    private final AtomicInteger polling = new AtomicInteger();
    private final AtomicInteger mostAtOnce = new AtomicInteger();

    @Test
    void exactlyOneGatewayPollsAndAnotherTakesOverWhenItDies() throws Exception {
        ensureTopic();
        String group = "election-test-" + UUID.randomUUID();
        PollerElection first = election(group);
        PollerElection second = election(group);
        first.start();
        second.start();
        await().atMost(PATIENCE).until(() -> first.isLeader() || second.isLeader());
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> polling.get() == 1);

        PollerElection leader = first.isLeader() ? first : second;
        PollerElection follower = leader == first ? second : first;
        leader.die();
        polling.decrementAndGet(); // a dead process polls nothing
        await().atMost(Duration.ofSeconds(30)).until(follower::isLeader);

        PollerElection third = election(group);
        third.start();
        follower.stop();
        await("a gateway that stops hands over").atMost(Duration.ofSeconds(15)).until(third::isLeader);
        third.stop();
        assertThat(mostAtOnce.get()).as("never two pollers at once").isEqualTo(1);
    }

    @Test
    void aPollerTheGroupDroppedEndsItsLongPollsBeforeAnotherGatewayPolls() throws Exception {
        ensureTopic();
        String group = "lease-test-" + UUID.randomUUID();
        String token = "4242:lease-test";
        List<String> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (TelegramEmulator emulator = TelegramEmulator.start(0, token)) {
            URI uri = URI.create(emulator.baseUrl());
            List<TelegramPolling> pollings = new ArrayList<>();
            List<PollerElection> elections = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                // the production long poll: 50 s, far longer than the group's session
                io.kiepipeline.gateway.publishing.Publisher kafka = new io.kiepipeline.gateway.publishing.Publisher(
                        null, Duration.ofSeconds(1)) {
                    @Override
                    public void publish(io.kiepipeline.schemas.Message message, String correlationId) {
                        heard.add(((io.kiepipeline.schemas.TelegramUpdate.TelegramUpdateReceived) message).update());
                    }
                };
                TelegramPolling polling = new TelegramPolling(new io.kiepipeline.gateway.telegram
                        .TelegramUpdateForwarder(kafka, java.time.Clock.systemUTC()), token, new TelegramUrl("http", uri.getHost(), uri.getPort(), false), 50);
                PollerElection election = new PollerElection(pipeline.kafkaBootstrapServers(), group,
                        Duration.ofSeconds(6), polling::start, polling::stop);
                polling.fencedBy(election::longPollSeconds);
                pollings.add(polling);
                elections.add(election);
            }
            try {
                elections.forEach(PollerElection::start);
                await().atMost(PATIENCE).until(() -> elections.stream().anyMatch(PollerElection::isLeader));
                emulator.userSays(4_200_001, 4_200_001, "before");
                await().atMost(PATIENCE).until(() -> heard.stream().anyMatch(u -> u.contains("\"before\"")));
                PollerElection leader = elections.get(0).isLeader() ? elections.get(0) : elections.get(1);
                PollerElection follower = leader == elections.get(0) ? elections.get(1) : elections.get(0);

                // the leader's election stalls (as heartbeats do in a long pause) while its polling goes on
                leader.die();
                await().atMost(Duration.ofSeconds(30)).until(follower::isLeader);
                assertThat(leader.leaseLeft()).as("the dropped leader's lease when another was elected")
                        .isZero();
                emulator.userSays(4_200_001, 4_200_001, "after");
                await().atMost(PATIENCE).until(() -> heard.stream().anyMatch(u -> u.contains("\"after\"")));

                assertThat(emulator.conflicts()).as("long polls ended by another's getUpdates (409)").isZero();
            } finally {
                pollings.forEach(TelegramPolling::stop);
                elections.forEach(PollerElection::stop);
            }
        }
    }

    private PollerElection election(String group) {
        return new PollerElection(pipeline.kafkaBootstrapServers(), group, Duration.ofSeconds(6), () -> {
            int now = polling.incrementAndGet();
            mostAtOnce.accumulateAndGet(now, Math::max);
        }, polling::decrementAndGet);
    }

    private void ensureTopic() throws Exception {
        try (AdminClient admin = AdminClient.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                pipeline.kafkaBootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(PollerElection.TOPIC, 1, (short) 1))).all().get();
        } catch (java.util.concurrent.ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
        }
    }
}
