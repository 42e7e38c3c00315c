package io.kiepipeline.analytics.streams;

import io.kiepipeline.schemas.AnalyticsViews;
import io.kiepipeline.schemas.AnalyticsViews.ModelMinute;
import io.kiepipeline.schemas.AnalyticsViews.Totals;
import io.kiepipeline.schemas.AnalyticsViews.UserDay;
import io.kiepipeline.schemas.Topics;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;

/**
 * The analytics topology. Every record of the event topics that a view counts becomes a {@link Fact}; all facts of a
 * job meet in one task (re-keyed by job id through one repartition topic, whatever key and partition count each
 * source topic has), where {@link JobFacts} counts each once; the counted facts feed three aggregations, each kept in
 * a queryable store and written to its compacted output topic:
 * <pre>
 *  orchestrator.events ┐
 *  kie-worker.events   ├─ EventFacts ─ by job id ─ JobFacts ─┬─ by model, 1-minute windows ─ analytics.model-minute
 *  gateway.events      │  (parse only    (repartition)        ├─ by user, 1-day windows   ─ analytics.user-day
 *  ledger.events       ┘   what counts)                       └─ one key                   ─ analytics.totals
 * </pre>
 * Exactly once (processing.guarantee=exactly_once_v2): a fact moves the stores, the changelogs and the output topics
 * in one transaction with the input offsets, so a crash never counts twice.
 */
public final class AnalyticsTopology {
    public static final String MODEL_MINUTE_STORE = "model-minute";
    public static final String USER_DAY_STORE = "user-day";
    public static final String TOTALS_STORE = "totals";
    public static final String TOTALS_KEY = "all";

    static final List<String> INPUTS = List.of(Topics.JOB_EVENTS.name(), Topics.KIE_EVENTS.name(),
            Topics.GATEWAY_EVENTS.name(), Topics.LEDGER_EVENTS.name());

    private static final Serde<Fact> FACT = new JsonSerde<>(Fact.class);
    private static final Serde<JobState> JOB = new JsonSerde<>(JobState.class);
    static final Serde<ModelMinute> MINUTE = new JsonSerde<>(ModelMinute.class);
    static final Serde<UserDay> DAY = new JsonSerde<>(UserDay.class);
    static final Serde<Totals> TOTALS = new JsonSerde<>(Totals.class);

    private AnalyticsTopology() {
    }

    public static void build(StreamsBuilder builder, AnalyticsSettings settings) {
        build(builder, settings, AnalyticsViews.View::topic);
    }

    /**
     * With the output topics named otherwise: to rebuild the views from the start beside the live ones (a new
     * application id, new topics), then switch readers over.
     */
    public static void build(StreamsBuilder builder, AnalyticsSettings settings,
                             java.util.function.Function<AnalyticsViews.View, String> outputTopic) {
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(JobFacts.JOBS),
                Serdes.String(), JOB));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(JobFacts.BY_FIRST_SEEN),
                Serdes.String(), Serdes.String()));

        KStream<String, Fact> counted = builder
                .stream(INPUTS, Consumed.with(Serdes.String(), Serdes.serdeFrom(new NoFactSerializer(),
                        new EventFacts())).withName("events"))
                .filter((key, fact) -> fact != null, Named.as("counted-types"))
                .selectKey((key, fact) -> fact.jobId(), Named.as("job-id"))
                .repartition(Repartitioned.with(Serdes.String(), FACT).withName("by-job"))
                .process(() -> new JobFacts(settings.jobRetention()), Named.as("job-facts"), JobFacts.JOBS,
                        JobFacts.BY_FIRST_SEEN);

        counted.groupBy((jobId, fact) -> fact.model(), Grouped.with("by-model", Serdes.String(), FACT))
                .windowedBy(TimeWindows.ofSizeAndGrace(Duration.ofMinutes(1), settings.grace()))
                .aggregate(Views::emptyMinute, (model, fact, minute) -> Views.add(minute, fact),
                        Materialized.<String, ModelMinute, WindowStore<Bytes, byte[]>>as(MODEL_MINUTE_STORE)
                                .withKeySerde(Serdes.String()).withValueSerde(MINUTE)
                                .withRetention(settings.minuteRetention()))
                .toStream(Named.as("model-minute-changes"))
                .map((w, minute) -> KeyValue.pair(minuteKey(w.key(), w.window().start()),
                        Views.named(minute, w.key(), w.window().start())), Named.as("model-minute-keyed"))
                .to(outputTopic.apply(AnalyticsViews.MODEL_MINUTE), Produced.with(Serdes.String(), MINUTE));

        counted.filter((jobId, fact) -> Views.concernsTheUser(fact), Named.as("user-facts"))
                .groupBy((jobId, fact) -> Long.toString(fact.userId()), Grouped.with("by-user", Serdes.String(), FACT))
                .windowedBy(TimeWindows.ofSizeAndGrace(Duration.ofDays(1), settings.grace()))
                .aggregate(Views::emptyDay, (user, fact, day) -> Views.add(day, fact),
                        Materialized.<String, UserDay, WindowStore<Bytes, byte[]>>as(USER_DAY_STORE)
                                .withKeySerde(Serdes.String()).withValueSerde(DAY)
                                .withRetention(settings.dayRetention()))
                .toStream(Named.as("user-day-changes"))
                .map((w, day) -> KeyValue.pair(dayKey(w.key(), w.window().start()),
                        Views.named(day, w.key(), w.window().start())), Named.as("user-day-keyed"))
                .to(outputTopic.apply(AnalyticsViews.USER_DAY), Produced.with(Serdes.String(), DAY));

        counted.groupBy((jobId, fact) -> TOTALS_KEY, Grouped.with("all", Serdes.String(), FACT))
                .aggregate(Views::emptyTotals, (all, fact, totals) -> Views.add(totals, fact),
                        Materialized.<String, Totals, KeyValueStore<Bytes, byte[]>>as(TOTALS_STORE)
                                .withKeySerde(Serdes.String()).withValueSerde(TOTALS))
                .toStream(Named.as("totals-changes"))
                .to(outputTopic.apply(AnalyticsViews.TOTALS), Produced.with(Serdes.String(), TOTALS));
    }

    static String minuteKey(String model, long startMs) {
        return model + "@" + Instant.ofEpochMilli(startMs);
    }

    static String dayKey(String userId, long startMs) {
        return userId + "@" + LocalDate.ofInstant(Instant.ofEpochMilli(startMs), ZoneOffset.UTC);
    }

    /** The event topics are only read here. */
    private static final class NoFactSerializer implements org.apache.kafka.common.serialization.Serializer<Fact> {
        @Override
        public byte[] serialize(String topic, Fact data) {
            throw new UnsupportedOperationException("analytics never writes to the event topics");
        }
    }
}
