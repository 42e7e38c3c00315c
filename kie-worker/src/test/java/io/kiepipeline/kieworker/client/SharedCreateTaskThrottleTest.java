package io.kiepipeline.kieworker.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kiepipeline.kieworker.testing.KieWorkerDatabase;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/** KIE's per-account limit, held for several kie-worker instances together, on real PostgreSQL. */
class SharedCreateTaskThrottleTest {
    private static EmbeddedPostgres postgres;
    private static DataSource dataSource;
    private static JdbcTemplate jdbc;
    private static TransactionTemplate tx;

    @BeforeAll
    static void start() throws Exception {
        postgres = KieWorkerDatabase.start();
        dataSource = postgres.getPostgresDatabase();
        jdbc = new JdbcTemplate(dataSource);
        tx = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
    }

    @AfterAll
    static void stop() throws Exception {
        postgres.close();
    }

    @BeforeEach
    void emptyWindow() {
        jdbc.update("delete from kie_rate_slot");
    }

    private static boolean acquire(CreateTaskThrottle throttle) {
        return Boolean.TRUE.equals(tx.execute(s -> throttle.tryAcquire()));
    }

    @Test
    void holdsTheLimitForAllInstancesTogether() throws Exception {
        // two instances, each of which would allow 20 on its own
        CreateTaskThrottle first = new SharedCreateTaskThrottle(jdbc, 20, Duration.ofSeconds(10), Clock.systemUTC());
        CreateTaskThrottle second = new SharedCreateTaskThrottle(jdbc, 20, Duration.ofSeconds(10), Clock.systemUTC());
        ExecutorService callers = Executors.newFixedThreadPool(8);
        List<Future<Integer>> granted = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            CreateTaskThrottle throttle = t % 2 == 0 ? first : second;
            Callable<Integer> caller = () -> {
                int n = 0;
                for (int i = 0; i < 10; i++) {
                    if (Boolean.TRUE.equals(tx.execute(s -> throttle.tryAcquire()))) {
                        n++;
                    }
                }
                return n;
            };
            granted.add(callers.submit(caller));
        }
        int total = 0;
        for (Future<Integer> f : granted) {
            total += f.get();
        }
        callers.shutdown();

        assertThat(total).as("80 tries from two instances within one window").isEqualTo(20);
        assertThat(first.nextRoomAt()).isAfter(Instant.now().plusSeconds(5));
    }

    @Test
    void makesRoomAgainWhenTheWindowMovesOn() {
        CreateTaskThrottle throttle = new SharedCreateTaskThrottle(jdbc, 2, Duration.ofSeconds(1), Clock.systemUTC());
        assertThat(acquire(throttle)).isTrue();
        assertThat(acquire(throttle)).isTrue();
        assertThat(acquire(throttle)).isFalse();
        assertThat(throttle.nextRoomAt()).isBefore(Instant.now().plusMillis(1_100));

        await().atMost(Duration.ofSeconds(5)).until(() -> Boolean.TRUE.equals(tx.execute(s -> throttle.tryAcquire())));
    }

    @Test
    void givesItsPlaceBackWhenTheClaimRollsBack() {
        CreateTaskThrottle throttle = new SharedCreateTaskThrottle(jdbc, 1, Duration.ofSeconds(10), Clock.systemUTC());
        tx.executeWithoutResult(s -> {
            assertThat(throttle.tryAcquire()).isTrue();
            s.setRollbackOnly();
        });
        assertThat(acquire(throttle)).as("the rolled-back claim used no place").isTrue();
    }
}
