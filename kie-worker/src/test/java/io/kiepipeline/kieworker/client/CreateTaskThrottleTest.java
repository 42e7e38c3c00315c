package io.kiepipeline.kieworker.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class CreateTaskThrottleTest {
    private static final Instant T0 = Instant.parse("2026-11-28T12:00:00Z");

    @Test
    void letsNoMoreThanTheLimitThroughInOneWindowAndNamesWhenRoomComesBack() {
        MutableClock clock = new MutableClock(T0);
        CreateTaskThrottle throttle = new io.kiepipeline.kieworker.client.LocalCreateTaskThrottle(3, Duration.ofSeconds(10), clock);

        assertThat(throttle.tryAcquire()).isTrue();
        clock.now = T0.plusSeconds(2);
        assertThat(throttle.tryAcquire()).isTrue();
        assertThat(throttle.tryAcquire()).isTrue();

        assertThat(throttle.tryAcquire()).as("a fourth in the window").isFalse();
        assertThat(throttle.nextRoomAt()).isEqualTo(T0.plusSeconds(10));

        clock.now = T0.plusSeconds(10);
        assertThat(throttle.tryAcquire()).as("the first one left the window").isTrue();
        assertThat(throttle.tryAcquire()).isFalse();
    }

    @Test
    void neverWaits() {
        CreateTaskThrottle throttle = new io.kiepipeline.kieworker.client.LocalCreateTaskThrottle(1, Duration.ofHours(1), Clock.systemUTC());
        throttle.tryAcquire();
        long start = System.nanoTime();

        assertThat(throttle.tryAcquire()).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(100));
    }

    private static final class MutableClock extends Clock {
        Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
