package io.kiepipeline.kieworker.accounts;

import io.kiepipeline.kieworker.client.KieResponse;
import io.kiepipeline.platform.config.LockWaits;
import io.kiepipeline.platform.outbox.OutboxWriter;
import io.kiepipeline.schemas.KieAccountEvent;
import io.kiepipeline.schemas.KieAccountEvent.KieKeyState;
import io.kiepipeline.schemas.Limits;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * The KIE accounts (API keys) this worker uses (docs/kie.md, "Keys and the breaker"). Each key has its own rate window,
 * credits and breaker, kept in the service's database so that every kie-worker instance sees the same: a key KIE
 * refuses as an account (401 bad key, 402 no credits, 433 the key's limit) on any call is taken out of use at once,
 * an operator alert is logged, and the state of every key is published on {@code kie-worker.accounts}, where the
 * orchestrator reads it to refuse new requests before any hold while no key can take them. A key comes back when
 * KIE's chat/credit answers it with credits (the credit poller), and the jobs that waited go on.
 *
 * <p>Keys are known by a fingerprint ({@code k} + 8 hex digits of their SHA-256), never by their value.
 */
public class KieAccounts {
    /** How long the start's registration waits for the locks a twin starting at the same time holds. */
    static final Duration REGISTER_WAIT = Duration.ofMinutes(2);

    private static final Logger log = LoggerFactory.getLogger(KieAccounts.class);

    /** One KIE API key. {@link #toString()} never shows the key. */
    public record Key(String id, String apiKey) {
        @Override
        public String toString() {
            return id;
        }
    }

    /** How long a key refused for its key (401) or its limit (433) stays out before a credit check lets it back. */
    static final Duration RETRY_OPEN_AFTER = Duration.ofMinutes(10);

    private final List<Key> keys;
    private final Map<String, Key> byId = new LinkedHashMap<>();
    private final JdbcTemplate jdbc;
    private final OutboxWriter outbox;
    private final Clock clock;
    private final long creditsWarnBelow;
    private final Map<String, Double> creditsSeen = new ConcurrentHashMap<>();
    private final Map<String, Double> availableSeen = new ConcurrentHashMap<>();

    public KieAccounts(List<String> apiKeys, JdbcTemplate jdbc, OutboxWriter outbox, Clock clock,
                       long creditsWarnBelow, MeterRegistry meters) {
        List<Key> list = new ArrayList<>();
        for (String apiKey : apiKeys) {
            Key key = new Key(fingerprint(apiKey), apiKey);
            if (byId.putIfAbsent(key.id(), key) == null) {
                list.add(key);
            }
        }
        if (list.isEmpty()) {
            throw new IllegalStateException("no KIE API key: set KIE_API_KEY (or KIE_API_KEYS)");
        }
        this.keys = List.copyOf(list);
        this.jdbc = jdbc;
        this.outbox = outbox;
        this.clock = clock;
        this.creditsWarnBelow = creditsWarnBelow;
        for (Key key : keys) {
            creditsSeen.put(key.id(), Double.NaN);
            availableSeen.put(key.id(), 1.0);
            Gauge.builder("pipeline.kie.credits", creditsSeen, m -> m.getOrDefault(key.id(), Double.NaN))
                    .description("KIE credits left on the key, from its last chat/credit answer")
                    .tag("key", key.id()).register(meters);
            Gauge.builder("pipeline.kie.key.available", availableSeen, m -> m.getOrDefault(key.id(), 0.0))
                    .description("1 while the key takes new tasks, 0 while its breaker is open (401, 402, 433)")
                    .tag("key", key.id()).register(meters);
        }
    }

    /** {@code k} + the first 8 hex digits of the key's SHA-256: names a key in logs and metrics without showing it. */
    public static String fingerprint(String apiKey) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(apiKey.getBytes(StandardCharsets.UTF_8));
            return "k" + HexFormat.of().formatHex(hash, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public List<Key> keys() {
        return keys;
    }

    /** The key a task was created with (null, or a key no longer configured: the first key). */
    public Key byIdOrFirst(String keyId) {
        Key key = keyId == null ? null : byId.get(keyId);
        return key != null ? key : keys.getFirst();
    }

    /**
     * Makes sure every configured key has its row (a new key is available until KIE says otherwise), and publishes
     * the state once, so that a reader that missed or lost it learns it at every start.
     *
     * <p>Run at start, in the caller's transaction. The instances of a deploy start at once and each registers; one
     * then waits for another's transaction, which on a loaded host can take longer than the connections' lock timeout
     * ({@code DATABASE_LOCK_TIMEOUT}, 10 s), and a failure here stops the instance from starting. So this transaction
     * alone waits at least {@link #REGISTER_WAIT} for its locks.
     */
    public void register() {
        jdbc.execute((ConnectionCallback<Void>) c -> {
            LockWaits.atLeast(c, REGISTER_WAIT, true);
            return null;
        });
        for (Key key : keys) {
            jdbc.update("insert into kie_account (key_id) values (?) on conflict (key_id) do nothing", key.id());
        }
        publish(clock.instant());
    }

    /**
     * The keys that may take a new task now, in the caller's transaction: breaker closed, and credits not known to be
     * spent.
     */
    public List<Key> usable() {
        List<String> ids = jdbc.queryForList("select key_id from kie_account where available "
                + "and (credits is null or credits > 0)", String.class);
        return keys.stream().filter(k -> ids.contains(k.id())).toList();
    }

    /**
     * Opens the key's breaker when KIE refused the account, in the caller's transaction (with the outcome it goes
     * with). Logged as an operator alert and published, once per opening.
     *
     * @return true when the answer was the account's refusal
     */
    public boolean tripIfAccountRefused(Key key, KieResponse response, String call) {
        if (!response.accountRefused()) {
            return false;
        }
        int code = response.httpStatus() != 200 ? response.httpStatus() : response.code();
        String reason = Limits.cap(code + " " + response.msg() + " (" + call + ")", 500);
        Instant now = clock.instant();
        int opened = jdbc.update("update kie_account set available = false, reason = ?, opened_at = ?, updated_at = ?"
                + (code == 402 ? ", credits = 0, credits_at = ?" : "")
                + " where key_id = ? and available", code == 402
                ? new Object[] {reason, ts(now), ts(now), ts(now), key.id()}
                : new Object[] {reason, ts(now), ts(now), key.id()});
        if (opened == 1) {
            log.atError().addKeyValue("key", key.id()).addKeyValue("code", code).addKeyValue("reason", reason)
                    .log("kie.key-breaker.opened; operator: KIE refuses this key (401 bad key, 402 no credits, 433 "
                            + "the key's limit); jobs wait for another key or for this one to come back");
            publish(now);
        }
        return true;
    }

    /**
     * Records KIE's answer to chat/credit for a key, in the caller's transaction: credits above zero close an open
     * breaker; an account refusal opens it. Published every time, so operators see the credits move.
     */
    public void recordCredits(Key key, KieResponse response) {
        Instant now = clock.instant();
        if (tripIfAccountRefused(key, response, "chat/credit")) {
            return;
        }
        if (!response.ok() || response.data() == null || !response.data().isNumber()) {
            log.atWarn().addKeyValue("key", key.id()).addKeyValue("httpStatus", response.httpStatus())
                    .addKeyValue("code", response.code()).addKeyValue("msg", response.msg())
                    .log("kie.credits.unknown; chat/credit did not answer, asked again later");
            return;
        }
        long credits = response.data().asLong();
        Map<String, Object> row = jdbc.queryForMap("select available, reason, opened_at from kie_account "
                + "where key_id = ? for update", key.id());
        boolean wasOpen = Boolean.FALSE.equals(row.get("available"));
        String reason = (String) row.get("reason");
        Timestamp openedAt = (Timestamp) row.get("opened_at");
        // credits end a "no credits" (402); a bad key (401) or the key's own limit (433) is tried again only after a
        // cool-down, so a key over its limit is not retried (and reported) at every credit check
        boolean coolDownOver = openedAt == null || openedAt.toInstant().isBefore(now.minus(RETRY_OPEN_AFTER));
        boolean closes = wasOpen && credits > 0 && (reason == null || reason.startsWith("402") || coolDownOver);
        jdbc.update("update kie_account set credits = ?, credits_at = ?, updated_at = ?"
                + (closes ? ", available = true, reason = null, opened_at = null" : "") + " where key_id = ?",
                credits, ts(now), ts(now), key.id());
        if (closes) {
            log.atInfo().addKeyValue("key", key.id()).addKeyValue("credits", credits)
                    .log("kie.key-breaker.closed; the key has credits again, waiting jobs go on");
        }
        if (credits < creditsWarnBelow) {
            log.atWarn().addKeyValue("key", key.id()).addKeyValue("credits", credits)
                    .addKeyValue("warnBelow", creditsWarnBelow)
                    .log("kie.credits.low; operator: top up this KIE account");
        }
        publish(now);
    }

    /**
     * Claims the credit check of a key for this instance when it is due (every instance polls, one checks):
     * true when this one should ask KIE now.
     */
    public boolean claimCreditCheck(Key key, Duration every) {
        Instant now = clock.instant();
        return jdbc.update("update kie_account set credits_checked_at = ? where key_id = ? and (credits_checked_at "
                + "is null or credits_checked_at <= ?)", ts(now), key.id(), ts(now.minus(every))) == 1;
    }

    /** Every key's state, as published. */
    public List<KieKeyState> states() {
        Map<String, KieKeyState> rows = new LinkedHashMap<>();
        jdbc.query("select key_id, available, reason, credits, credits_at from kie_account", rs -> {
            Timestamp at = rs.getTimestamp("credits_at");
            long credits = rs.getLong("credits");
            Long c = rs.wasNull() ? null : credits;
            // usable: the breaker is closed and the credits are not known to be spent
            boolean spent = c != null && c <= 0;
            String reason = rs.getString("reason");
            rows.put(rs.getString("key_id"), new KieKeyState(rs.getString("key_id"),
                    rs.getBoolean("available") && !spent, reason == null && spent ? "no credits left (chat/credit)"
                    : reason, c, at == null ? null : at.toInstant(), c != null && c < creditsWarnBelow));
        });
        return keys.stream().map(k -> rows.get(k.id())).filter(java.util.Objects::nonNull).toList();
    }

    /** Publishes every key's state with a new version, in the caller's transaction. */
    private void publish(Instant now) {
        if (!TransactionSynchronizationManager.isActualTransactionActive()) {
            throw new IllegalStateException("the accounts' state is published in the change's transaction");
        }
        Long version = jdbc.queryForObject("update kie_account_version set version = version + 1 where id = 1 "
                + "returning version", Long.class);
        List<KieKeyState> states = states();
        outbox.append(new KieAccountEvent.KieAccountsObserved(version == null ? 0 : version, states, now),
                KieAccountEvent.KEY, null);
        states.forEach(s -> {
            availableSeen.put(s.keyId(), s.available() ? 1.0 : 0.0);
            creditsSeen.put(s.keyId(), s.credits() == null ? Double.NaN : s.credits().doubleValue());
        });
    }

    public Optional<Key> find(String keyId) {
        return Optional.ofNullable(byId.get(keyId));
    }

    private static Timestamp ts(Instant i) {
        return Timestamp.from(i);
    }
}
