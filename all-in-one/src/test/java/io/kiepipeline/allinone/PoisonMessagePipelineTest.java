package io.kiepipeline.allinone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kiepipeline.schemas.Headers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** A message no retry can fix goes to the dead-letter topic; the partition moves on. */
class PoisonMessagePipelineTest extends PipelineTest {
    @Test
    void deadLettersAnUnreadableCommandAndKeepsTheUsersPartitionMoving() throws Exception {
        long user = aNewUser();
        String key = Long.toString(user);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, pipeline.kafkaBootstrapServers(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class))) {
            ProducerRecord<String, String> poison = new ProducerRecord<>("ledger.commands", key,
                    "{\"holdId\": \"this is not a hold id\"}");
            poison.headers().add(Headers.EVENT_ID, UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8));
            poison.headers().add(Headers.EVENT_TYPE, "ledger.place-hold.v1".getBytes(StandardCharsets.UTF_8));
            producer.send(poison).get();
        }
        assertThat(api.deposit(user, 250, "after-poison-" + user).status()).isEqualTo(202);

        await().atMost(PATIENCE).until(() -> available(user) == 250);
        List<ConsumerRecord<String, String>> dead = readDeadLetters("ledger.commands-dlt", key);
        assertThat(dead).singleElement().satisfies(r -> {
            assertThat(r.value()).contains("this is not a hold id");
            assertThat(new String(r.headers().lastHeader("kafka_dlt-exception-message").value(),
                    StandardCharsets.UTF_8)).contains("payload does not fit ledger.place-hold.v1");
        });
    }

    private List<ConsumerRecord<String, String>> readDeadLetters(String topic, String key) {
        List<ConsumerRecord<String, String>> found = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, pipeline.kafkaBootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "dlt-reader-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class))) {
            consumer.subscribe(List.of(topic));
            await().atMost(PATIENCE).until(() -> {
                consumer.poll(Duration.ofMillis(500)).forEach(r -> {
                    if (key.equals(r.key())) {
                        found.add(r);
                    }
                });
                return !found.isEmpty();
            });
        }
        return found;
    }
}
