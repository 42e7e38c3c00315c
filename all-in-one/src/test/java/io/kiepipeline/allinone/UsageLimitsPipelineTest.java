package io.kiepipeline.allinone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kiepipeline.allinone.EmbeddedPipeline.Service;
import io.kiepipeline.emulators.KieEmulator.Rule;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What one user may ask: the free tier's daily limit, and jobs running at once. Each holds for requests sent at the
 * same moment (the intake counts under the user's lock), and a request over a limit is refused before any hold,
 * with the reason.
 */
class UsageLimitsPipelineTest extends PipelineTest {
    @AfterEach
    void limitsOffAgain() {
        restart(Service.ORCHESTRATOR, Map.of());
    }

    @Test
    void theFreeDailyLimitHoldsWhenTwentyRequestsArriveAtOnce() throws Exception {
        // four consumers: the requests reach the intake at the same moment, on different partitions
        restart(Service.ORCHESTRATOR, Map.of("FREE_DAILY_PER_USER", "3",
                "KAFKA_LISTENER_CONCURRENCY", "4"));
        long user = aNewUser();

        List<String> jobs = atOnce(20, i -> request(user, "google/nano-banana", Map.of("prompt",
                aPrompt("free fox " + i)), "key-" + UUID.randomUUID()));

        await().atMost(PATIENCE).until(() -> jobs.stream().allMatch(this::finished));
        List<String> reasons = jobs.stream().map(j -> api.job(j).body().path("failureReason").asString("")).toList();
        assertThat(jobs.stream().filter(j -> "DELIVERED".equals(status(j)))).hasSize(3);
        assertThat(reasons.stream().filter("FREE_LIMIT_REACHED"::equals)).hasSize(17);
    }

    @Test
    void aUserCannotRunMoreJobsAtOnceThanAllowedAndNothingIsHeldForTheRefused() throws Exception {
        restart(Service.ORCHESTRATOR, Map.of("USER_MAX_RUNNING_JOBS", "2",
                "KAFKA_LISTENER_CONCURRENCY", "4"));
        long user = aUserWithBalance(100_000);
        String prompt = aPrompt("a slow fox");
        kie.addRule(Rule.forPrompt(prompt).taking(Duration.ofSeconds(8).toMillis()));

        List<String> jobs = atOnce(5, i -> request(user, "nano-banana-pro", Map.of("prompt", prompt + " " + i),
                "key-" + UUID.randomUUID()));

        await().atMost(PATIENCE).until(() -> jobs.stream().allMatch(this::finished));
        assertThat(jobs.stream().filter(j -> "DELIVERED".equals(status(j)))).hasSize(2);
        assertThat(jobs.stream().filter(j -> "TOO_MANY_RUNNING".equals(api.job(j).body().path("failureReason")
                .asString("")))).hasSize(3);
        await().atMost(PATIENCE).until(() -> held(user) == 0);
        assertThat(available(user)).isEqualTo(100_000 - 2 * 1500);
    }

    private boolean finished(String jobId) {
        return List.of("DELIVERED", "FAILED", "REJECTED").contains(status(jobId));
    }

    private String status(String jobId) {
        return api.job(jobId).body().path("status").asString("");
    }

    private interface Request {
        String make(int i) throws Exception;
    }

    /** Sends the requests at the same moment, each on its own thread. */
    private static List<String> atOnce(int n, Request request) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
            List<Callable<String>> calls = new java.util.ArrayList<>();
            for (int i = 0; i < n; i++) {
                int k = i;
                calls.add(() -> {
                    go.await();
                    return request.make(k);
                });
            }
            List<java.util.concurrent.Future<String>> futures = calls.stream().map(pool::submit).toList();
            go.countDown();
            List<String> ids = new java.util.ArrayList<>();
            for (var f : futures) {
                ids.add(f.get());
            }
            return ids;
        } finally {
            pool.shutdown();
        }
    }
}
