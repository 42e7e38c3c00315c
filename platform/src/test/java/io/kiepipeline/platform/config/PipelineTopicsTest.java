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
                new PlatformProperties("test", 12, null, null, null, 2));

        assertThat(topics).hasSize(Topics.ALL.size() * 2);
        assertThat(topics).allSatisfy(t -> {
            assertThat(t.numPartitions()).isEqualTo(12);
            assertThat(t.configs()).containsEntry("min.insync.replicas", "2");
        });
    }

    @Test
    void leavesTheBrokersDefaultWhenNoneIsSet() {
        var topics = PlatformAutoConfiguration.topics(
                new PlatformProperties("test", null, null, null, null, null));

        assertThat(topics).extracting(NewTopic::configs).allSatisfy(c ->
                assertThat(c == null ? java.util.Map.of() : c).doesNotContainKey("min.insync.replicas"));
    }
}
