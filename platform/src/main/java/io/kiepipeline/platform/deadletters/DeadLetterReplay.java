package io.kiepipeline.platform.deadletters;

import io.kiepipeline.platform.messaging.Envelopes;
import io.kiepipeline.schemas.Headers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Sends dead-lettered records back to the topic they came from, for an operator who fixed the cause (docs/operations.md).
 *
 * <p>Each record goes back with its own key, payload and envelope headers, the event id included: a consumer that had
 * applied it after all (or a replay run twice) dedupes it on that id, so a replay takes effect at most once. The
 * dead-letter headers ({@code kafka_dlt-*}) are dropped. Progress is the consumer group {@code <dlt>-replayer}: after
 * a full replay a record is not replayed again unless the operator resets that group; a replay for one key commits no
 * progress (it may replay that key's letters again, which the event id makes harmless).
 *
 * <pre>
 * make replay-dlt TOPIC=ledger.commands            # replay every new dead letter of ledger.commands
 * make replay-dlt TOPIC=ledger.commands KEY=42     # only those of key 42 (a user id, or a job id)
 * make list-dlt TOPIC=ledger.commands              # show them, replay nothing
 * </pre>
 */
public final class DeadLetterReplay {
    /** One dead letter, as shown to the operator. */
    public record Letter(int partition, long offset, String key, String type, String eventId, String reason) {
    }

    /** A letter's reason as shown: the exception's message, cut (a whole stack trace is the logs' job). */
    static final int REASON_CHARS = 500;

    private final String bootstrapServers;

    public DeadLetterReplay(String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
    }

    /** Dead letters of {@code topic} not yet replayed, without replaying them. */
    public List<Letter> list(String topic) {
        return list(topic, Integer.MAX_VALUE);
    }

    /** The first {@code max} dead letters of {@code topic} not yet replayed: reads no further than those. */
    public List<Letter> list(String topic, int max) {
        List<Letter> letters = new ArrayList<>();
        read(topic, false, r -> true, (r, p) -> {
            letters.add(letterOf(r));
            return letters.size() < max;
        });
        return letters;
    }

    /** Replays the dead letters of {@code topic} (those whose key matches, when one is given); returns them. */
    public List<Letter> replay(String topic, String key) {
        List<Letter> replayed = new ArrayList<>();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class))) {
            // progress is committed only for a full replay: one for a key must not mark the other keys' letters done
            List<Future<RecordMetadata>> acks = new ArrayList<>();
            read(topic, key == null, r -> key == null || key.equals(r.key()), (r, unused) -> {
                ProducerRecord<String, String> back = new ProducerRecord<>(topic, r.key(), r.value());
                for (Header h : r.headers()) {
                    if (!h.key().startsWith("kafka_dlt-")) {
                        back.headers().add(h);
                    }
                }
                acks.add(producer.send(back));
                replayed.add(letterOf(r));
                return true;
            }, () -> {
                // every letter on the topic before progress is committed: a failure replays them again (harmless:
                // the consumers dedupe on the event id), never skips one
                producer.flush();
                for (Future<RecordMetadata> ack : acks) {
                    try {
                        ack.get();
                    } catch (Exception e) {
                        throw new IllegalStateException("could not replay to " + topic + ": " + e.getMessage(), e);
                    }
                }
            });
        }
        return replayed;
    }

    /**
     * How many dead letters each topic has that were not replayed (a full replay moves the group past them): from
     * offsets only, nothing is read. A topic with no dead-letter topic yet has none.
     */
    public static Map<String, Long> pending(org.apache.kafka.clients.admin.Admin admin, List<String> topics)
            throws java.util.concurrent.ExecutionException, InterruptedException, java.util.concurrent.TimeoutException {
        Map<String, Long> pending = new java.util.LinkedHashMap<>();
        java.util.Set<String> existing = admin.listTopics().names().get(10, java.util.concurrent.TimeUnit.SECONDS);
        List<String> dlts = topics.stream().map(t -> t + "-dlt").filter(existing::contains).toList();
        Map<String, org.apache.kafka.clients.admin.TopicDescription> described = dlts.isEmpty() ? Map.of()
                : admin.describeTopics(dlts).allTopicNames().get(10, java.util.concurrent.TimeUnit.SECONDS);
        Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> latest =
                new HashMap<>();
        Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> earliest =
                new HashMap<>();
        described.values().forEach(d -> d.partitions().forEach(p -> {
            var tp = new org.apache.kafka.common.TopicPartition(d.name(), p.partition());
            latest.put(tp, org.apache.kafka.clients.admin.OffsetSpec.latest());
            earliest.put(tp, org.apache.kafka.clients.admin.OffsetSpec.earliest());
        }));
        var ends = latest.isEmpty() ? Map.<org.apache.kafka.common.TopicPartition,
                org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo>of()
                : admin.listOffsets(latest).all().get(10, java.util.concurrent.TimeUnit.SECONDS);
        var starts = earliest.isEmpty() ? Map.<org.apache.kafka.common.TopicPartition,
                org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo>of()
                : admin.listOffsets(earliest).all().get(10, java.util.concurrent.TimeUnit.SECONDS);
        // every replayer group's progress in one request
        Map<String, org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec> groups = new HashMap<>();
        described.keySet().forEach(dlt -> groups.put(dlt + "-replayer",
                new org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec()));
        org.apache.kafka.clients.admin.ListConsumerGroupOffsetsResult progress = groups.isEmpty() ? null
                : admin.listConsumerGroupOffsets(groups);
        for (String topic : topics) {
            String dlt = topic + "-dlt";
            if (!described.containsKey(dlt)) {
                pending.put(topic, 0L);
                continue;
            }
            Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata> done =
                    progress.partitionsToOffsetAndMetadata(dlt + "-replayer").get(10,
                            java.util.concurrent.TimeUnit.SECONDS);
            long waiting = 0;
            for (var e : ends.entrySet()) {
                if (!e.getKey().topic().equals(dlt)) {
                    continue;
                }
                long from = starts.get(e.getKey()).offset();
                var committed = done.get(e.getKey());
                if (committed != null) {
                    from = Math.max(from, committed.offset());
                }
                waiting += Math.max(0, e.getValue().offset() - from);
            }
            pending.put(topic, waiting);
        }
        return pending;
    }

    private interface Handler {
        /** @return whether to go on reading */
        boolean accept(ConsumerRecord<String, String> record, Object unused);
    }

    private void read(String topic, boolean commit, Predicate<ConsumerRecord<String, String>> wanted,
                      Handler handler) {
        read(topic, commit, wanted, handler, () -> {
        });
    }

    /**
     * Reads the dead-letter topic to the end it had when the read began; commits the group's progress (exactly that
     * end, never a record read past it) only when replaying, after {@code beforeCommit} confirmed the sends.
     */
    private void read(String topic, boolean commit, Predicate<ConsumerRecord<String, String>> wanted,
                      Handler handler, Runnable beforeCommit) {
        String dlt = topic + "-dlt";
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, dlt + "-replayer");
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config)) {
            var partitions = consumer.partitionsFor(dlt).stream()
                    .map(p -> new org.apache.kafka.common.TopicPartition(dlt, p.partition())).toList();
            consumer.assign(partitions);
            Map<org.apache.kafka.common.TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            boolean more = true;
            while (more && partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + dlt + " to its end within 60 s");
                }
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    if (more && r.offset() < end.get(new org.apache.kafka.common.TopicPartition(dlt, r.partition()))
                            && wanted.test(r)) {
                        more = handler.accept(r, null);
                    }
                }
            }
            if (commit && more) {
                beforeCommit.run();
                Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata> done =
                        new HashMap<>();
                end.forEach((tp, offset) -> done.put(tp, new org.apache.kafka.clients.consumer.OffsetAndMetadata(
                        offset)));
                consumer.commitSync(done);
            }
        }
    }

    private static Letter letterOf(ConsumerRecord<String, String> r) {
        String reason = Envelopes.header(r, "kafka_dlt-exception-message");
        return new Letter(r.partition(), r.offset(), r.key(), Envelopes.header(r, Headers.EVENT_TYPE),
                Envelopes.header(r, Headers.EVENT_ID), reason == null ? null
                        : io.kiepipeline.schemas.Limits.cap(reason, REASON_CHARS));
    }

    /** {@code replay <topic> [key]} or {@code list <topic>}; Kafka from KAFKA_BOOTSTRAP_SERVERS. */
    public static void main(String[] args) {
        if (args.length < 2 || !List.of("replay", "list").contains(args[0])) {
            System.err.println("usage: replay <topic> [key] | list <topic>   (KAFKA_BOOTSTRAP_SERVERS, default "
                    + "localhost:9092)");
            System.exit(2);
        }
        String servers = System.getenv().getOrDefault("KAFKA_BOOTSTRAP_SERVERS", "localhost:9092");
        DeadLetterReplay replay = new DeadLetterReplay(servers);
        List<Letter> letters = args[0].equals("list") ? replay.list(args[1])
                : replay.replay(args[1], args.length > 2 && !args[2].isBlank() ? args[2] : null);
        for (Letter l : letters) {
            System.out.printf("%s %s-dlt partition %d offset %d key %s type %s event %s reason %s%n",
                    args[0].equals("list") ? "dead" : "replayed", args[1], l.partition(), l.offset(), l.key(),
                    l.type(), l.eventId(), l.reason());
        }
        System.out.printf("%d dead letter(s) %s%n", letters.size(), args[0].equals("list") ? "waiting"
                : "replayed to " + args[1]);
    }
}
