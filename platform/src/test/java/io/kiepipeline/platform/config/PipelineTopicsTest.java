package io.kiepipeline.platform.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.kiepipeline.schemas.Topics;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;

/** The topics every service creates: each with its dead-letter twin, and min.insync.replicas when it is set. */
class PipelineTopicsTest {
    @Test
    void givesEveryTopicTheMinInsyncReplicasTheOperatorSet() {
        var topics = PlatformAutoConfiguration.topics(
                new PlatformProperties("test", 12, null, null, null, 2, null));

        assertThat(topics).hasSize(Topics.ALL.size() * 2);
        assertThat(topics).allSatisfy(t -> {
            assertThat(t.numPartitions()).isEqualTo(t.name().startsWith("kie-worker.accounts") ? 1 : 12);
            assertThat(t.configs()).containsEntry("min.insync.replicas", "2");
        });
    }

    @Test
    void keepsTheKieAccountsStateCompactedOnOnePartition() {
        var topics = PlatformAutoConfiguration.topics(new PlatformProperties("test", 12, null, null, null, null, null));

        assertThat(topics).filteredOn(t -> t.name().equals("kie-worker.accounts")).singleElement().satisfies(t -> {
            assertThat(t.numPartitions()).isEqualTo(1);
            assertThat(t.configs()).containsEntry("cleanup.policy", "compact");
        });
    }

    @Test
    void leavesTheBrokersDefaultWhenNoneIsSet() {
        var topics = PlatformAutoConfiguration.topics(
                new PlatformProperties("test", null, null, null, null, null, null));

        assertThat(topics).extracting(NewTopic::configs).allSatisfy(c ->
                assertThat(c == null ? java.util.Map.of() : c).doesNotContainKey("min.insync.replicas"));
    }
}
