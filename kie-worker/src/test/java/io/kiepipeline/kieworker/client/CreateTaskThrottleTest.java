package io.kiepipeline.kieworker.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class CreateTaskThrottleTest {
    @Test
    void letsNoMoreThanTheLimitThroughInOneWindow() throws InterruptedException {
        CreateTaskThrottle throttle = new CreateTaskThrottle(3, Duration.ofMillis(300), Clock.systemUTC());
        long start = System.nanoTime();
        for (int i = 0; i < 3; i++) {
            throttle.acquire();
        }
        long firstThree = System.nanoTime() - start;
        throttle.acquire();
        long fourth = System.nanoTime() - start;

        assertThat(Duration.ofNanos(firstThree)).isLessThan(Duration.ofMillis(100));
        assertThat(Duration.ofNanos(fourth)).isGreaterThanOrEqualTo(Duration.ofMillis(290));
    }
}
