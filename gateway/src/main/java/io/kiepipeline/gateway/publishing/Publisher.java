package io.kiepipeline.gateway.publishing;

import io.kiepipeline.platform.messaging.Envelopes;
import io.kiepipeline.schemas.Message;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.springframework.kafka.KafkaException;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;

/**
 * Publishes what the gateway takes in and waits for the broker's ack, so that a 2xx answer means the message is on
 * the topic. The gateway has no database: nothing is accepted that Kafka did not take.
 */
@Component
public class Publisher {
    private final KafkaTemplate<String, String> kafka;
    private final Duration timeout;

    @org.springframework.beans.factory.annotation.Autowired
    public Publisher(KafkaTemplate<String, String> kafka, io.kiepipeline.gateway.GatewaySettings settings) {
        this(kafka, settings.publishTimeout());
    }

    public Publisher(KafkaTemplate<String, String> kafka, Duration timeout) {
        this.kafka = kafka;
        this.timeout = timeout;
    }

    public void publish(Message message, String correlationId) {
        try {
            kafka.send(Envelopes.record(message, correlationId)).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unavailable("interrupted while publishing", e);
        } catch (ExecutionException | TimeoutException | KafkaException
                 | org.apache.kafka.common.KafkaException e) {
            throw new Unavailable("Kafka did not take the message", e);
        }
    }

    /** Kafka is unreachable: the caller answers 503, and KIE or the client retries. */
    public static final class Unavailable extends RuntimeException {
        public Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
