package io.kiepipeline.allinone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The choice between the embedded infrastructure and Testcontainers (TEST_INFRA), and its refusals. */
class TestInfraTest {
    @Test
    void theEmbeddedInfrastructureIsTheDefault() {
        assertThat(TestInfra.chosen(Map.of())).isEqualTo(TestInfra.Kind.EMBEDDED);
        assertThat(TestInfra.chosen(Map.of("TEST_INFRA", "embedded"))).isEqualTo(TestInfra.Kind.EMBEDDED);
        assertThat(TestInfra.start(TestInfra.Kind.EMBEDDED, false)).as("the pipeline starts its own").isEmpty();
    }

    @Test
    void testcontainersIsChosenByTheVariableAndAnythingElseIsRefusedNamingIt() {
        assertThat(TestInfra.chosen(Map.of("TEST_INFRA", " Testcontainers "))).isEqualTo(TestInfra.Kind.TESTCONTAINERS);
        assertThatThrownBy(() -> TestInfra.chosen(Map.of("TEST_INFRA", "docker")))
                .hasMessageContaining("TEST_INFRA must be embedded or testcontainers, not 'docker'");
    }

    @Test
    void testcontainersWithoutADockerEngineStopsWithAClearMessageInsteadOfTestingSomethingElse() {
        assertThatThrownBy(() -> TestInfra.start(TestInfra.Kind.TESTCONTAINERS, false))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("TEST_INFRA=testcontainers needs a Docker engine");
    }
}
