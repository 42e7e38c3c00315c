package io.kiepipeline.kieworker.client;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * KIE's limit held for all kie-workers together (docs/adr/0007-shared-kie-rate-limit.md): a sliding window of the
 * createTask calls of every instance, in the service's own PostgreSQL schema. A claim locks the one limiter row (so
 * instances take turns for a moment), counts the calls of the last window, and records its own in the claim's
 * transaction: a claim that rolls back gives its place back. Time is the database's, so instances whose clocks differ
 * still share one window.
 */
public class SharedCreateTaskThrottle implements CreateTaskThrottle {
    private final JdbcTemplate jdbc;
    private final int requests;
    private final Duration window;
    private final Clock clock;

    public SharedCreateTaskThrottle(JdbcTemplate jdbc, int requests, Duration window, Clock clock) {
        this.jdbc = jdbc;
        this.requests = requests;
        this.window = window;
        this.clock = clock;
    }

    @Override
    public boolean tryAcquire(String keyId) {
        if (!TransactionSynchronizationManager.isActualTransactionActive()) {
            throw new IllegalStateException("the shared rate limit is taken in the claim's transaction");
        }
        // one limiter row per key (the first key's window is the row of the time before several keys)
        String limiter = keyId == null ? "createTask" : "createTask:" + keyId;
        if (keyId != null) {
            jdbc.update("insert into kie_rate_limit (name) values (?) on conflict (name) do nothing", limiter);
        }
        jdbc.queryForObject("select name from kie_rate_limit where name = ? for update", String.class, limiter);
        double seconds = window.toMillis() / 1000.0;
        jdbc.update("delete from kie_rate_slot where at <= clock_timestamp() - make_interval(secs => ?)", seconds);
        Long used = jdbc.queryForObject(
                "select count(*) from kie_rate_slot where key_id is not distinct from cast(? as varchar)", Long.class,
                keyId);
        if (used != null && used >= requests) {
            return false;
        }
        jdbc.update("insert into kie_rate_slot (at, key_id) values (clock_timestamp(), cast(? as varchar))", keyId);
        return true;
    }

    @Override
    public Instant nextRoomAt(String keyId) {
        double seconds = window.toMillis() / 1000.0;
        Long waitMs = jdbc.queryForObject("""
                select coalesce(greatest(0, ceil(extract(epoch from (min(at) + make_interval(secs => ?)
                                                                      - clock_timestamp())) * 1000)), 0)::bigint
                from (select at from kie_rate_slot where at > clock_timestamp() - make_interval(secs => ?)
                        and key_id is not distinct from cast(? as varchar)
                      order by at desc limit ?) recent""", Long.class, seconds, seconds, keyId, requests);
        return clock.instant().plusMillis(waitMs == null ? 0 : waitMs);
    }
}
