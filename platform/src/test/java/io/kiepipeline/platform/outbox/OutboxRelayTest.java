package io.kiepipeline.platform.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.kiepipeline.schemas.Headers;
import io.kiepipeline.schemas.Ids;
import io.kiepipeline.schemas.LedgerCommand.DepositRequested;
import io.kiepipeline.schemas.MessageCodec;
import io.kiepipeline.schemas.UserId;
import io.kiepipeline.platform.testing.OutboxDatabase;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The relay on real PostgreSQL and a real KRaft broker: two relays (two instances of a service) publish one outbox
 * while writers keep appending; every message arrives once, and each key's messages arrive in the order they were
 * committed.
 */
class OutboxRelayTest {
    private static EmbeddedPostgres postgres;
    private static EmbeddedKafkaKraftBroker kafka;
    private static javax.sql.DataSource dataSource;

    @BeforeAll
    static void start() throws Exception {
        postgres = OutboxDatabase.start();
        dataSource = postgres.getPostgresDatabase();
        kafka = new EmbeddedKafkaKraftBroker(1, 3, "ledger.commands");
        kafka.afterPropertiesSet();
    }

    @AfterAll
    static void stop() throws Exception {
        kafka.destroy();
        postgres.close();
    }

    @Test
    void twoRelaysPublishEveryMessageOnceInOrderPerKey() throws Exception {
        JdbcTemplate jdbc = jdbc();
        TransactionTemplate tx = tx();
        KafkaTemplate<String, String> template = new KafkaTemplate<>(new DefaultKafkaProducerFactory<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.getBrokersAsString(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true)));
        OutboxRelay.Settings settings = new OutboxRelay.Settings("test", 50, Duration.ofMillis(100),
                Duration.ofMillis(100), Duration.ofSeconds(10), Duration.ofHours(1), true, 1_000_000);
        OutboxRelay first = new OutboxRelay(jdbc, tx, template, settings);
        OutboxRelay second = new OutboxRelay(jdbc, tx, template, settings);
        OutboxWriter writer = new OutboxWriter(jdbc, first, Clock.systemUTC(), 16);
        first.start();
        second.start();

        int keys = 20;
        int perKey = 60;
        ExecutorService writers = Executors.newFixedThreadPool(4);
        for (int k = 0; k < keys; k++) {
            long user = 1_000 + k;
            writers.submit(() -> {
                for (int i = 0; i < perKey; i++) {
                    int seq = i;
                    tx.executeWithoutResult(s -> writer.append(new DepositRequested(
                            Ids.depositIdForReference(user + "-" + seq), new UserId(user), seq + 1, "RUB",
                            user + "-" + seq), null, null));
                }
            });
        }
        writers.shutdown();
        assertThat(writers.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
        second.wakeUp();

        Map<String, List<Long>> received = consume(keys * perKey, "10");
        first.stop();
        second.stop();

        assertThat(received).hasSize(keys);
        for (var entry : received.entrySet()) {
            List<Long> expected = new ArrayList<>();
            for (long i = 1; i <= perKey; i++) {
                expected.add(i);
            }
            assertThat(entry.getValue()).as("key %s, in commit order, once each", entry.getKey())
                    .containsExactlyElementsOf(expected);
        }
        assertThat(first.publishedCount()).as("both relays took part").isPositive();
        assertThat(second.publishedCount()).as("both relays took part").isPositive();
        assertThat(jdbc.queryForObject("""
                select count(*) from outbox_message
                where published_at is null and message_key in (select generate_series(1000, 1019)::text)""",
                Long.class)).isZero();
    }

    @Test
    void parksARecordTooLargeForTheBrokerWhileEveryOtherKeyFlowsOn() {
        JdbcTemplate jdbc = jdbc();
        TransactionTemplate tx = tx();
        OutboxRelay relay = relay(jdbc, tx, 50);
        OutboxWriter writer = new OutboxWriter(jdbc, relay, Clock.systemUTC(), 16);
        long stuck = 7_001;
        long other = 7_002;
        String huge = "x".repeat(1_200_000);
        tx.executeWithoutResult(s -> {
            writer.append(deposit(stuck, huge, 1), null, null);
            writer.append(deposit(stuck, "after-the-huge-one", 2), null, null);
            writer.append(deposit(other, "normal", 3), null, null);
        });
        relay.start();
        try {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(jdbc.queryForList("select park_reason from outbox_message where message_key = ?"
                        + " and parked_at is not null", String.class, Long.toString(stuck)))
                        .singleElement().asString().contains("over the 1000000-byte limit");
                assertThat(jdbc.queryForObject("select published_at is not null from outbox_message"
                        + " where message_key = ?", Boolean.class, Long.toString(other))).isTrue();
            });
            assertThat(relay.parkedCount()).isEqualTo(1);
            assertThat(jdbc.queryForObject("select published_at is null and parked_at is null from outbox_message"
                    + " where message_key = ? and payload like '%after-the-huge-one%'", Boolean.class,
                    Long.toString(stuck))).as("the parked row's key waits behind it, in order").isTrue();
        } finally {
            relay.stop();
        }
    }

    @Test
    void aRunSendsAtMostSixteenMebibytesAndTheRestFollowsInItsOrder() {
        JdbcTemplate jdbc = jdbc();
        TransactionTemplate tx = tx();
        OutboxRelay relay = relay(jdbc, tx, 2000);
        OutboxWriter writer = new OutboxWriter(jdbc, relay, Clock.systemUTC(), 16);
        long user = 8_001;
        int rows = 20;
        tx.executeWithoutResult(s -> {
            for (int i = 0; i < rows; i++) {
                writer.append(deposit(user, i + "-" + "x".repeat(950_000), i + 1), null, null);
            }
        });

        int first = relay.publishOnce();
        int second = relay.publishOnce();

        assertThat(first).as("19 MB of rows: more than one run's 16 MiB").isBetween(1, rows - 1);
        assertThat(first + second).isEqualTo(rows);
        List<Long> expected = new ArrayList<>();
        for (long i = 1; i <= rows; i++) {
            expected.add(i);
        }
        assertThat(consume(rows, "8001").get("8001")).containsExactlyElementsOf(expected);
    }

    @Test
    void refusesToStartWithMoreLanesThanTheOutboxHas() {
        JdbcTemplate jdbc = new JdbcTemplate(postgres.getPostgresDatabase());
        new OutboxWriter(jdbc, null, Clock.systemUTC(), 16).verifyLanes();
        assertThatThrownBy(() -> new OutboxWriter(jdbc, null, Clock.systemUTC(), 32).verifyLanes())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("pipeline.outbox.lanes is 32");
    }

    private static DepositRequested deposit(long user, String reference, long amount) {
        return new DepositRequested(Ids.depositIdForReference(reference), new UserId(user), amount, "RUB", reference);
    }

    /** Over one DataSource with {@link #tx()}, as in a service: the relay's queries run in its transaction. */
    private static JdbcTemplate jdbc() {
        return new JdbcTemplate(dataSource);
    }

    private static TransactionTemplate tx() {
        return new TransactionTemplate(new DataSourceTransactionManager(dataSource));
    }

    /** A relay that is only started by its test, with a broker that takes records up to 1,000,000 bytes. */
    private static OutboxRelay relay(JdbcTemplate jdbc, TransactionTemplate tx, int batchSize) {
        return new OutboxRelay(jdbc, tx, template(), new OutboxRelay.Settings("test", batchSize,
                Duration.ofMillis(100), Duration.ofMillis(100), Duration.ofSeconds(30), Duration.ofHours(1), true,
                1_000_000));
    }

    private static KafkaTemplate<String, String> template() {
        return new KafkaTemplate<>(new DefaultKafkaProducerFactory<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.getBrokersAsString(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true)));
    }

    private Map<String, List<Long>> consume(int total, String keyPrefix) {
        Map<String, List<Long>> byKey = new HashMap<>();
        Set<String> eventIds = new HashSet<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.getBrokersAsString(),
                ConsumerConfig.GROUP_ID_CONFIG, "relay-test-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class))) {
            consumer.subscribe(List.of("ledger.commands"));
            int[] count = {0};
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> {
                    if (!r.key().startsWith(keyPrefix)) {
                        return; // another test's key
                    }
                    String id = new String(r.headers().lastHeader(Headers.EVENT_ID).value(), StandardCharsets.UTF_8);
                    assertThat(eventIds.add(id)).as("event %s delivered twice", id).isTrue();
                    DepositRequested d = (DepositRequested) MessageCodec.fromJson("ledger.deposit-requested.v1",
                            r.value());
                    byKey.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(d.amountMinor());
                    count[0]++;
                });
                return count[0] >= total;
            });
        }
        return byKey;
    }
}
