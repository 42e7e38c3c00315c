package io.kiepipeline.platform.consuming;

import io.kiepipeline.platform.messaging.Envelope;
import io.kiepipeline.schemas.Message;
import java.util.function.Consumer;

/**
 * The one way a consumer answers content its database refuses ({@link Failures#isContentViolation}): for a message
 * type that has a refusal event, the refusal is written instead (in its own transaction, the handler's having rolled
 * back), so the message is consumed rather than tried for ever; anything else goes on to the error handler.
 */
public final class ContentRefusal {
    private ContentRefusal() {
    }

    /** Writes the refusal of a message the database could not store. */
    @FunctionalInterface
    public interface Refuse<M extends Message> {
        void refuse(Envelope envelope, M message, RuntimeException why);
    }

    public static <M extends Message> void handle(Envelope envelope, Consumer<Envelope> handler, Class<M> refusable,
                                                  Refuse<M> refuse) {
        try {
            handler.accept(envelope);
        } catch (RuntimeException e) {
            if (refusable.isInstance(envelope.message()) && Failures.isContentViolation(e)) {
                refuse.refuse(envelope, refusable.cast(envelope.message()), e);
                return;
            }
            throw e;
        }
    }
}
