package io.kiepipeline.allinone;

import io.kiepipeline.platform.messaging.Envelopes;
import io.kiepipeline.schemas.Message;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Writes straight onto the pipeline's topics, as another producer (a buggy client, an old version, an attacker who
 * reached the broker) could: the services must hold up against what did not pass the gateway.
 */
final class Topics {
    private Topics() {
    }

    static void publish(EmbeddedPipeline pipeline, Message message) {
        publish(pipeline, Envelopes.record(message, null));
    }

    static void publish(EmbeddedPipeline pipeline, ProducerRecord<String, String> record) {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, pipeline.kafkaBootstrapServers(),
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 2_000_000,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class))) {
            producer.send(record).get();
        } catch (Exception e) {
            throw new IllegalStateException("could not publish " + record.topic(), e);
        }
    }
}
