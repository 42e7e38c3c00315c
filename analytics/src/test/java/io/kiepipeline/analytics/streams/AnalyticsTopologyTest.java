package io.kiepipeline.analytics.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.kiepipeline.schemas.AnalyticsViews;
import io.kiepipeline.schemas.AnalyticsViews.ModelMinute;
import io.kiepipeline.schemas.AnalyticsViews.Totals;
import io.kiepipeline.schemas.AnalyticsViews.UserDay;
import io.kiepipeline.schemas.ChatId;
import io.kiepipeline.schemas.GatewayEvent;
import io.kiepipeline.schemas.Headers;
import io.kiepipeline.schemas.Ids;
import io.kiepipeline.schemas.JobEvent;
import io.kiepipeline.schemas.JobFailureReason;
import io.kiepipeline.schemas.JobId;
import io.kiepipeline.schemas.JobRejectionReason;
import io.kiepipeline.schemas.KieEvent;
import io.kiepipeline.schemas.KieTaskState;
import io.kiepipeline.schemas.LedgerEvent;
import io.kiepipeline.schemas.Message;
import io.kiepipeline.schemas.MessageCodec;
import io.kiepipeline.schemas.MessageTypes;
import io.kiepipeline.schemas.OutputType;
import io.kiepipeline.schemas.RequestSource;
import io.kiepipeline.schemas.Topics;
import io.kiepipeline.schemas.UserId;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The topology on Kafka Streams' test driver: what each view counts, once, whatever the order and the repeats. */
class AnalyticsTopologyTest {
    private static final Instant T0 = Instant.parse("2026-11-29T13:05:10Z");
    private static final String FLUX = "flux-kontext-pro";
    private static final String VEO = "veo3-fast";
    private static final UserId ALICE = new UserId(1001);
    private static final UserId BOB = new UserId(1002);

    @TempDir
    Path stateDir;
    private TopologyTestDriver driver;
    private Map<String, TestInputTopic<String, String>> inputs;

    @BeforeEach
    void start() {
        StreamsBuilder builder = new StreamsBuilder();
        AnalyticsTopology.build(builder, new AnalyticsSettings(Duration.ofMinutes(5), null, null,
                Duration.ofHours(1), null));
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "analytics-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        driver = new TopologyTestDriver(builder.build(), props, T0);
        inputs = new java.util.HashMap<>();
        for (String topic : AnalyticsTopology.INPUTS) {
            inputs.put(topic, driver.createInputTopic(topic, Serdes.String().serializer(),
                    Serdes.String().serializer()));
        }
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    @Test
    void countsRequestsEndsRevenueAndKieCostInTheMinuteEachHappened() {
        JobId paid = job();
        created(paid, FLUX, ALICE, 1500, T0);
        send(new JobEvent.JobSubmitted(paid, ALICE, "task-1", T0.plusSeconds(1)), T0.plusSeconds(1));
        send(observed(paid, "task-1", 12), T0.plusSeconds(20));
        send(new JobEvent.JobSucceeded(paid, ALICE, new ChatId(1001), FLUX, OutputType.IMAGE, List.of("https://r/1"),
                1500, "RUB", T0.plusSeconds(20)), T0.plusSeconds(20));
        send(captured(paid, ALICE, 1500), T0.plusSeconds(21));
        JobId failed = job();
        created(failed, FLUX, BOB, 0, T0.plusSeconds(2));
        send(new JobEvent.JobFailed(failed, BOB, new ChatId(1002), FLUX, JobFailureReason.TASK_FAILED, "nsfw",
                T0.plusSeconds(30)), T0.plusSeconds(30));
        JobId refused = job();
        send(new JobEvent.JobRejected(refused, BOB, new ChatId(1002), VEO, JobRejectionReason.INSUFFICIENT_FUNDS,
                "insufficient funds", T0.plusSeconds(3)), T0.plusSeconds(3));

        ModelMinute flux = minutes().get(FLUX + "@2026-11-29T13:05:00Z");
        assertThat(flux.requests()).isEqualTo(2);
        assertThat(flux.successes()).isEqualTo(1);
        assertThat(flux.failures()).isEqualTo(1);
        assertThat(flux.revenueMinor()).isEqualTo(1500);
        assertThat(flux.currency()).isEqualTo("RUB");
        assertThat(flux.kieCredits()).isEqualTo(12);
        assertThat(flux.timeToResult().count()).isEqualTo(1);
        assertThat(flux.timeToResult().p50Millis()).isBetween(20_000L, 22_000L);
        assertThat(flux.model()).isEqualTo(FLUX);
        assertThat(flux.minuteStart()).isEqualTo(Instant.parse("2026-11-29T13:05:00Z"));
        ModelMinute veo = minutes().get(VEO + "@2026-11-29T13:05:00Z");
        assertThat(veo.requests()).as("a job refused at intake is still a request").isEqualTo(1);
        assertThat(veo.rejections()).isEqualTo(1);
        Totals totals = totals();
        assertThat(List.of(totals.requests(), totals.successes(), totals.failures(), totals.rejections(),
                totals.revenueMinor(), totals.kieCredits())).containsExactly(3L, 1L, 1L, 1L, 1500L, 12L);
        assertThat(totals.lastEventAt()).isEqualTo(T0.plusSeconds(30));
    }

    @Test
    void anEventPublishedTwiceAndACostReportedByPollAndCallbackCountOnce() {
        JobId id = job();
        JobEvent.JobCreated created = new JobEvent.JobCreated(id, ALICE, new ChatId(1001), FLUX, OutputType.IMAGE,
                900, "RUB", RequestSource.TELEGRAM, T0);
        send(created, T0);
        send(created, T0);
        send(new JobEvent.JobSubmitted(id, ALICE, "task-9", T0.plusSeconds(1)), T0.plusSeconds(1));
        send(observed(id, "task-9", 7), T0.plusSeconds(5));
        send(new GatewayEvent.CallbackReceived(id, "task-9", KieTaskState.SUCCESS, List.of("https://r/9"), null, null,
                7L, T0.plusSeconds(5), "{}", true), T0.plusSeconds(5));
        JobEvent.JobSucceeded succeeded = new JobEvent.JobSucceeded(id, ALICE, new ChatId(1001), FLUX,
                OutputType.IMAGE, List.of("https://r/9"), 900, "RUB", T0.plusSeconds(5));
        send(succeeded, T0.plusSeconds(5));
        send(succeeded, T0.plusSeconds(6));
        LedgerEvent.HoldCaptured capture = captured(id, ALICE, 900);
        send(capture, T0.plusSeconds(6));
        send(capture, T0.plusSeconds(7));

        Totals totals = totals();
        assertThat(List.of(totals.requests(), totals.successes(), totals.revenueMinor(), totals.kieCredits()))
                .containsExactly(1L, 1L, 900L, 7L);
        assertThat(users().get("1001@2026-11-29")).isEqualTo(new UserDay(1001, LocalDate.parse("2026-11-29"), 1, 1,
                900, "RUB"));
    }

    @Test
    void aCostFromAnUnsignedCallbackOrAnotherTaskIsNotTheJobsCost() {
        JobId id = job();
        created(id, FLUX, ALICE, 0, T0);
        send(new JobEvent.JobSubmitted(id, ALICE, "task-real", T0.plusSeconds(1)), T0.plusSeconds(1));
        send(new GatewayEvent.CallbackReceived(id, "task-real", KieTaskState.SUCCESS, List.of(), null, null,
                999L, T0.plusSeconds(2), "{}", false), T0.plusSeconds(2));
        send(observed(id, "task-other", 500), T0.plusSeconds(3));
        send(observed(id, "task-real", 4), T0.plusSeconds(4));

        assertThat(totals().kieCredits()).isEqualTo(4);
    }

    @Test
    void aCaptureThatComesBeforeItsJobsCreationWaitsForTheModelAndCountsInItsOwnMinute() {
        JobId id = job();
        send(captured(id, ALICE, 2500), T0.plusSeconds(65));
        assertThat(totals()).as("nothing to count until the job's model is known").isNull();

        created(id, VEO, ALICE, 2500, T0);

        assertThat(minutes().get(VEO + "@2026-11-29T13:06:00Z").revenueMinor()).isEqualTo(2500);
        assertThat(minutes().get(VEO + "@2026-11-29T13:05:00Z").requests()).isEqualTo(1);
    }

    @Test
    void aRecordThatCannotBeReadIsSkippedAndTheNextOnesStillCount() {
        long before = Counters.UNREADABLE.get();
        pipe(Topics.JOB_EVENTS.name(), "k", "{not json", MessageTypes.nameOf(JobEvent.JobCreated.class), T0);
        pipe(Topics.JOB_EVENTS.name(), "k", "{}", "job.from-the-future.v9", T0);
        pipe(Topics.JOB_EVENTS.name(), "k", "{\"jobId\":\"x\"}", null, T0);
        created(job(), FLUX, ALICE, 0, T0);

        assertThat(Counters.UNREADABLE.get() - before).isEqualTo(1);
        assertThat(totals().requests()).isEqualTo(1);
    }

    @Test
    void aRecordThatParsesButLacksWhatTheViewsNeedOrLiesAboutItsTimeIsSkippedAndCountingGoesOn() {
        long before = Counters.UNREADABLE.get();
        pipe(Topics.JOB_EVENTS.name(), "k", "{}", MessageTypes.nameOf(JobEvent.JobCreated.class), T0);
        pipe(Topics.KIE_EVENTS.name(), "k", "{\"jobId\":\"" + UUID.randomUUID() + "\",\"creditsConsumed\":5}",
                MessageTypes.nameOf(KieEvent.KieTaskStatusObserved.class), T0);
        created(job(), FLUX, ALICE, 0, Instant.parse("3000-01-01T00:00:00Z"));
        created(job(), FLUX, ALICE, 0, T0);

        assertThat(Counters.UNREADABLE.get() - before).isEqualTo(3);
        assertThat(totals().requests()).isEqualTo(1);
    }

    @Test
    void aRequestForAModelThatDoesNotExistCountsUnderOneKeyWhateverWasTyped() {
        for (String typed : List.of("no-such-model", "google/nano\u0000banana", "x".repeat(500))) {
            send(new JobEvent.JobRejected(job(), BOB, new ChatId(1002), typed, JobRejectionReason.UNKNOWN_MODEL,
                    "unknown model", T0), T0);
        }
        send(new JobEvent.JobRejected(job(), BOB, new ChatId(1002), "bad\u0007model", JobRejectionReason.INVALID_INPUT,
                "the request cannot be stored", T0), T0);

        assertThat(minutes().keySet()).containsExactly("(unknown)@2026-11-29T13:05:00Z");
        assertThat(minutes().get("(unknown)@2026-11-29T13:05:00Z").rejections()).isEqualTo(4);
    }

    @Test
    void timeToResultQuantilesComeFromEachSuccessSinceItsCreation() {
        for (int i = 1; i <= 20; i++) {
            JobId id = job();
            created(id, FLUX, ALICE, 0, T0);
            send(new JobEvent.JobSucceeded(id, ALICE, new ChatId(1001), FLUX, OutputType.IMAGE, List.of("https://r"),
                    0, "RUB", T0.plusSeconds(i)), T0.plusSeconds(i));
        }

        AnalyticsViews.TimeToResult times = minutes().get(FLUX + "@2026-11-29T13:05:00Z").timeToResult();
        assertThat(times.count()).isEqualTo(20);
        assertThat(times.p50Millis()).isBetween(10_000L, 11_000L);
        assertThat(times.p95Millis()).isBetween(19_000L, 20_900L);
    }

    @Test
    void aJobIsForgottenARetentionAfterItWasFirstSeen() {
        created(job(), FLUX, ALICE, 0, T0);
        KeyValueStore<String, JobState> jobs = driver.getKeyValueStore(JobFacts.JOBS);
        assertThat(jobs.approximateNumEntries()).isEqualTo(1);

        created(job(), FLUX, ALICE, 0, T0.plus(Duration.ofHours(2)));

        assertThat(count(jobs)).as("the first job is forgotten; the second is remembered").isEqualTo(1);
    }

    private static long count(KeyValueStore<String, JobState> store) {
        long n = 0;
        try (var it = store.all()) {
            while (it.hasNext()) {
                it.next();
                n++;
            }
        }
        return n;
    }

    /** The output topic's latest record per key (reading consumes: what was read before is kept here). */
    private final Map<String, ModelMinute> minutesRead = new java.util.HashMap<>();

    private Map<String, ModelMinute> minutes() {
        minutesRead.putAll(driver.createOutputTopic(AnalyticsViews.MODEL_MINUTE.topic(),
                Serdes.String().deserializer(), AnalyticsTopology.MINUTE.deserializer()).readKeyValuesToMap());
        return minutesRead;
    }

    private Map<String, UserDay> users() {
        return driver.createOutputTopic(AnalyticsViews.USER_DAY.topic(), Serdes.String().deserializer(),
                AnalyticsTopology.DAY.deserializer()).readKeyValuesToMap();
    }

    private Totals totals() {
        KeyValueStore<String, Totals> store = driver.getKeyValueStore(AnalyticsTopology.TOTALS_STORE);
        return store.get(AnalyticsTopology.TOTALS_KEY);
    }

    private static JobId job() {
        return new JobId(UUID.randomUUID());
    }

    private void created(JobId id, String model, UserId user, long price, Instant at) {
        send(new JobEvent.JobCreated(id, user, new ChatId(user.value()), model, OutputType.IMAGE, price, "RUB",
                RequestSource.TELEGRAM, at), at);
    }

    private static KieEvent.KieTaskStatusObserved observed(JobId id, String task, long credits) {
        return new KieEvent.KieTaskStatusObserved(id, task, KieTaskState.SUCCESS, List.of("https://r"), null, null,
                credits, T0.plusSeconds(20));
    }

    private static LedgerEvent.HoldCaptured captured(JobId id, UserId user, long amount) {
        return new LedgerEvent.HoldCaptured(Ids.holdIdForJob(id), id, user, amount, "RUB", 10_000, 0);
    }

    private void send(Message m, Instant occurredAt) {
        pipe(Topics.carrying(m.getClass()).name(), m.key(), MessageCodec.toJson(m), MessageTypes.nameOf(m.getClass()),
                occurredAt);
    }

    private void pipe(String topic, String key, String json, String type, Instant occurredAt) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(Headers.EVENT_ID, UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8));
        if (type != null) {
            headers.add(Headers.EVENT_TYPE, type.getBytes(StandardCharsets.UTF_8));
        }
        headers.add(Headers.OCCURRED_AT, occurredAt.toString().getBytes(StandardCharsets.UTF_8));
        inputs.get(topic).pipeInput(new TestRecord<>(key, json, headers, occurredAt));
    }
}
