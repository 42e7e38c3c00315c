package io.kiepipeline.emulators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class KieEmulatorRateWindowTest extends KieEmulatorTestBase {
    @Test
    void withoutALimitEveryCreateTaskIsAccepted() {
        for (int i = 0; i < 30; i++) {
            assertThat(createTask("unlimited " + i).json().path("code").asInt()).isEqualTo(200);
        }
        JsonNode rate = http.get(kie.baseUrl() + "/control/rate").json();
        assertThat(rate.path("maxTasks").asInt()).isZero();
        assertThat(rate.path("refused").asInt()).isZero();
        assertThat(kie.tasksFor("unlimited")).hasSize(30);
    }

    @Test
    void createTaskPastTheWindowIsRefusedWith429AndCreatesNothing() {
        kie.limitCreateTask(3, Duration.ofMinutes(1));
        for (int i = 0; i < 3; i++) {
            assertThat(createTask("limited " + i).status()).isEqualTo(200);
        }
        TestHttp.Reply refused = createTask("limited 3");
        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.json().path("code").asInt()).isEqualTo(429);
        assertThat(refused.json().path("msg").asString()).isEqualTo("Rate limit exceeded");
        assertThat(createTask("limited 4").status()).isEqualTo(429);

        assertThat(kie.tasksFor("limited")).hasSize(3);
        assertThat(kie.callsFor("limited").stream().filter(c -> c.httpStatus() == 429)).hasSize(2);
        JsonNode rate = http.get(kie.baseUrl() + "/control/rate").json();
        assertThat(rate.path("maxTasks").asInt()).isEqualTo(3);
        assertThat(rate.path("windowMs").asLong()).isEqualTo(60_000);
        assertThat(rate.path("refused").asInt()).isEqualTo(2);
        assertThat(rate.path("maxInAnyWindow").asInt()).isEqualTo(3);
        assertThat(kie.refusedByRateLimit()).isEqualTo(2);
        assertThat(kie.maxInAnyWindow()).isEqualTo(3);
    }

    @Test
    void concurrentCreateTasksNeverMakeMoreThanTheLimitInTheWindow() throws Exception {
        kie.limitCreateTask(5, Duration.ofMinutes(1));
        List<Callable<Integer>> calls = java.util.stream.IntStream.range(0, 24)
                .<Callable<Integer>>mapToObj(i -> () -> createTask("burst " + i).status()).toList();
        List<Integer> statuses;
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            statuses = pool.invokeAll(calls).stream().map(TestHttpFutures::get).toList();
        }
        assertThat(statuses.stream().filter(s -> s == 200)).hasSize(5);
        assertThat(statuses.stream().filter(s -> s == 429)).hasSize(19);
        assertThat(kie.tasksFor("burst")).hasSize(5);
        assertThat(kie.maxInAnyWindow()).isEqualTo(5);
        assertThat(kie.refusedByRateLimit()).isEqualTo(19);
    }

    @Test
    void theWindowSlidesSoCreateTaskIsAcceptedAgainOnceOldTasksLeaveIt() {
        kie.limitCreateTask(2, Duration.ofMillis(300));
        assertThat(createTask("sliding a").status()).isEqualTo(200);
        assertThat(createTask("sliding b").status()).isEqualTo(200);
        assertThat(createTask("sliding c").status()).isEqualTo(429);

        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
                .until(() -> createTask("sliding again").status() == 200);
        assertThat(kie.maxInAnyWindow()).isLessThanOrEqualTo(2);
        assertThat(kie.tasksFor("sliding")).hasSize(3);
    }

    @Test
    void theRateWindowCanBeSetOverTheControlApi() {
        JsonNode rate = http.post(kie.baseUrl() + "/control/rate", "{\"maxTasks\":1,\"windowMs\":60000}").json();
        assertThat(rate.path("maxTasks").asInt()).isEqualTo(1);
        assertThat(createTask("controlled 1").status()).isEqualTo(200);
        assertThat(createTask("controlled 2").status()).isEqualTo(429);
        http.post(kie.baseUrl() + "/control/rate", "{\"maxTasks\":0}");
        assertThat(createTask("controlled 3").status()).isEqualTo(200);
    }

    /** Unwraps a finished future for a stream. */
    private static final class TestHttpFutures {
        static <T> T get(Future<T> f) {
            try {
                return f.get();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
