package io.kiepipeline.analytics.streams;

import io.kiepipeline.schemas.GatewayEvent;
import io.kiepipeline.schemas.Headers;
import io.kiepipeline.schemas.JobEvent;
import io.kiepipeline.schemas.KieEvent;
import io.kiepipeline.schemas.LedgerEvent;
import io.kiepipeline.schemas.Message;
import io.kiepipeline.schemas.MessageCodec;
import io.kiepipeline.schemas.MessageTypes;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Set;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads an event-topic record into the {@link Fact} it means to the views, or null when it means nothing to them.
 * Only the types the views count are parsed (the {@code event-type} header says which); a record that cannot be
 * read is logged, counted and skipped: its own consumer sends it to its dead-letter topic, and one bad record must
 * not stop the figures.
 */
public final class EventFacts implements Deserializer<Fact> {
    private static final Logger log = LoggerFactory.getLogger(EventFacts.class);

    static final Set<String> COUNTED_TYPES = Set.of(
            MessageTypes.nameOf(JobEvent.JobCreated.class), MessageTypes.nameOf(JobEvent.JobRejected.class),
            MessageTypes.nameOf(JobEvent.JobSubmitted.class), MessageTypes.nameOf(JobEvent.JobSucceeded.class),
            MessageTypes.nameOf(JobEvent.JobFailed.class), MessageTypes.nameOf(JobEvent.JobLateResult.class),
            MessageTypes.nameOf(LedgerEvent.HoldCaptured.class),
            MessageTypes.nameOf(KieEvent.KieTaskStatusObserved.class),
            MessageTypes.nameOf(GatewayEvent.CallbackReceived.class));

    /** Instants the views take: anything else is a broken clock or a forgery. */
    static final Instant EARLIEST = Instant.parse("2020-01-01T00:00:00Z");
    static final Instant LATEST = Instant.parse("2200-01-01T00:00:00Z");
    /** Where requests for a model that does not exist are counted: what a caller types never becomes a key. */
    static final String UNKNOWN_MODEL = "(unknown)";

    @Override
    public Fact deserialize(String topic, byte[] data) {
        return null;
    }

    @Override
    public Fact deserialize(String topic, org.apache.kafka.common.header.Headers headers, byte[] data) {
        String type = header(headers, Headers.EVENT_TYPE);
        if (type == null || data == null || !COUNTED_TYPES.contains(type)) {
            return null;
        }
        try {
            Fact fact = of(MessageCodec.fromJson(type, new String(data, StandardCharsets.UTF_8)));
            if (fact != null && fact.at() == null) {
                fact = fact.withAt(occurredAt(headers));
            }
            if (fact != null && fact.at() != null && (fact.at().isBefore(EARLIEST) || fact.at().isAfter(LATEST))) {
                // an instant no window can hold (a producer's broken clock, a forged year 3000): counted as unreadable
                throw new MessageCodec.UnreadableMessageException("its instant is out of range: " + fact.at());
            }
            return fact;
        } catch (MessageCodec.UnreadableMessageException | NullPointerException | IllegalArgumentException e) {
            // a payload that parses but lacks what the view needs (a job id, a user, a state) is skipped like one
            // that does not parse: one bad record must never stop the figures
            Counters.UNREADABLE.incrementAndGet();
            log.atWarn().addKeyValue("topic", topic).addKeyValue("eventType", type)
                    .log("analytics.record-unreadable; skipped (its consumer dead-letters it): " + e.getMessage());
            return null;
        }
    }

    /** The fact a message means to the views; null for what they do not count. Exhaustive over what is parsed. */
    static Fact of(Message message) {
        return switch (message) {
            case JobEvent.JobCreated e -> fact(Fact.Kind.CREATED, e.jobId().toString(), e.model(),
                    e.userId().value(), e.createdAt(), 0, e.currency(), null);
            case JobEvent.JobRejected e -> fact(Fact.Kind.REJECTED, e.jobId().toString(),
                    e.reason() == io.kiepipeline.schemas.JobRejectionReason.UNKNOWN_MODEL || !plausible(e.model())
                            ? UNKNOWN_MODEL : e.model(), e.userId().value(), e.rejectedAt(), 0, null, null);
            case JobEvent.JobSubmitted e -> fact(Fact.Kind.SUBMITTED, e.jobId().toString(), null,
                    e.userId().value(), e.submittedAt(), 0, null, e.taskId());
            case JobEvent.JobSucceeded e -> fact(Fact.Kind.SUCCEEDED, e.jobId().toString(), e.model(),
                    e.userId().value(), e.succeededAt(), 0, e.currency(), null);
            case JobEvent.JobFailed e -> fact(Fact.Kind.FAILED, e.jobId().toString(), e.model(),
                    e.userId().value(), e.failedAt(), 0, null, null);
            case JobEvent.JobLateResult e -> fact(Fact.Kind.LATE_RESULT, e.jobId().toString(), e.model(),
                    e.userId().value(), e.resultAt(), 0, null, null);
            case LedgerEvent.HoldCaptured e -> e.jobId() == null || e.amountMinor() < 0 ? null
                    // a capture carries no instant of its own: when the ledger recorded it (occurred-at)
                    : fact(Fact.Kind.CAPTURED, e.jobId().toString(), null, e.userId().value(), null,
                    e.amountMinor(), e.currency(), e.holdId().toString());
            case KieEvent.KieTaskStatusObserved e -> cost(e.jobId().toString(), e.taskId(), e.state().isTerminal(),
                    e.creditsConsumed(), e.observedAt());
            // anyone who saw the callback URL could post an unsigned one: only a signed callback's cost counts
            case GatewayEvent.CallbackReceived e -> e.signatureVerified() && e.jobId() != null
                    ? cost(e.jobId().toString(), e.taskId(), e.state() != null && e.state().isTerminal(),
                    e.creditsConsumed(), e.receivedAt()) : null;
            default -> null;
        };
    }

    /** A model id as the catalog writes them: printable, short; anything else was typed by someone. */
    static boolean plausible(String model) {
        return model != null && !model.isBlank() && model.length() <= io.kiepipeline.schemas.Limits.MODEL_ID
                && model.chars().noneMatch(Character::isISOControl);
    }

    /** KIE's final word on a task's cost: a finished task's {@code creditsConsumed}. */
    private static Fact cost(String jobId, String taskId, boolean finished, Long credits, Instant at) {
        return finished && credits != null && credits >= 0
                ? fact(Fact.Kind.KIE_COST, jobId, null, null, at, credits, null, taskId) : null;
    }

    private static Fact fact(Fact.Kind kind, String jobId, String model, Long userId, Instant at, long amount,
                             String currency, String ref) {
        return new Fact(kind, jobId, model, userId, at, amount, currency, null, ref);
    }

    private static Instant occurredAt(org.apache.kafka.common.header.Headers headers) {
        String value = header(headers, Headers.OCCURRED_AT);
        try {
            return value == null ? null : Instant.parse(value);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static String header(org.apache.kafka.common.header.Headers headers, String name) {
        Header h = headers == null ? null : headers.lastHeader(name);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
