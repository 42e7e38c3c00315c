package io.kiepipeline.analytics.query;

import io.kiepipeline.analytics.streams.AnalyticsSettings;
import io.kiepipeline.analytics.streams.AnalyticsTopology;
import io.kiepipeline.schemas.AnalyticsViews.ModelMinute;
import io.kiepipeline.schemas.AnalyticsViews.Stats;
import io.kiepipeline.schemas.AnalyticsViews.Totals;
import io.kiepipeline.schemas.AnalyticsViews.UserDay;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyWindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.ResponseEntity;
import org.springframework.kafka.config.StreamsBuilderFactoryBean;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientException;

/**
 * Interactive queries over the views' stores. {@code /internal/stats} answers for the whole application: with
 * several instances, each holds some partitions' stores, so it asks the others ({@code /internal/stats/local}, at
 * the address each advertises) and merges. Unavailable (503) while the streams start or rebalance.
 */
@RestController
public class StatsController {
    private static final Logger log = LoggerFactory.getLogger(StatsController.class);
    /** The most minutes one query reads (a day): bounded at the edge. */
    static final int MAX_MINUTES = 1440;
    static final int MAX_DAYS = 90;

    private final StreamsBuilderFactoryBean factory;
    private final AnalyticsSettings settings;
    private final Clock clock;
    private final RestClient http;

    public StatsController(StreamsBuilderFactoryBean factory, AnalyticsSettings settings, Clock clock,
                           RestClient.Builder http) {
        this.factory = factory;
        this.settings = settings;
        this.clock = clock;
        org.springframework.http.client.SimpleClientHttpRequestFactory requests =
                new org.springframework.http.client.SimpleClientHttpRequestFactory();
        requests.setConnectTimeout(Duration.ofSeconds(2));
        requests.setReadTimeout(Duration.ofSeconds(5));
        this.http = http.requestFactory(requests).build();
    }

    @GetMapping("/internal/stats")
    public ResponseEntity<?> stats(@RequestParam(defaultValue = "60") int minutes,
                                   @RequestParam(required = false) Long user,
                                   @RequestParam(defaultValue = "30") int days) {
        if (minutes < 1 || minutes > MAX_MINUTES || days < 1 || days > MAX_DAYS) {
            return ResponseEntity.badRequest().body(Map.of("error", "invalid_request", "message",
                    "minutes must be 1.." + MAX_MINUTES + " and days 1.." + MAX_DAYS));
        }
        KafkaStreams streams = factory.getKafkaStreams();
        if (streams == null || streams.state() != KafkaStreams.State.RUNNING) {
            return unavailable(streams == null ? "not started" : streams.state().toString());
        }
        try {
            Stats merged = local(streams, minutes, user, days);
            for (HostInfo other : others(streams)) {
                Stats theirs = http.get().uri("http://{host}:{port}/internal/stats/local?minutes={m}&days={d}"
                                + (user == null ? "" : "&user=" + user), other.host(), other.port(), minutes, days)
                        .retrieve().body(Stats.class);
                merged = merge(merged, theirs);
            }
            return ResponseEntity.ok(merged);
        } catch (InvalidStateStoreException | RestClientException e) {
            log.atWarn().log("analytics.query-unavailable: " + e.getMessage());
            return unavailable(e.getClass().getSimpleName());
        }
    }

    /** This instance's stores only. */
    @GetMapping("/internal/stats/local")
    public ResponseEntity<?> localStats(@RequestParam(defaultValue = "60") int minutes,
                                        @RequestParam(required = false) Long user,
                                        @RequestParam(defaultValue = "30") int days) {
        KafkaStreams streams = factory.getKafkaStreams();
        if (streams == null || streams.state() != KafkaStreams.State.RUNNING
                || minutes < 1 || minutes > MAX_MINUTES || days < 1 || days > MAX_DAYS) {
            return unavailable(streams == null ? "not started" : streams.state().toString());
        }
        try {
            return ResponseEntity.ok(local(streams, minutes, user, days));
        } catch (InvalidStateStoreException e) {
            return unavailable(e.getClass().getSimpleName());
        }
    }

    private Stats local(KafkaStreams streams, int minutes, Long user, int days) {
        Instant now = clock.instant();
        Instant to = now.truncatedTo(ChronoUnit.MINUTES);
        Instant from = to.minus(Duration.ofMinutes(minutes - 1L));
        ReadOnlyKeyValueStore<String, Totals> totalsStore = streams.store(StoreQueryParameters.fromNameAndType(
                AnalyticsTopology.TOTALS_STORE, QueryableStoreTypes.keyValueStore()));
        Totals totals = totalsStore.get(AnalyticsTopology.TOTALS_KEY);
        ReadOnlyWindowStore<String, ModelMinute> minuteStore = streams.store(StoreQueryParameters.fromNameAndType(
                AnalyticsTopology.MODEL_MINUTE_STORE, QueryableStoreTypes.windowStore()));
        List<ModelMinute> rows = new ArrayList<>();
        try (KeyValueIterator<Windowed<String>, ModelMinute> it = minuteStore.fetchAll(from, to)) {
            while (it.hasNext()) {
                KeyValue<Windowed<String>, ModelMinute> e = it.next();
                rows.add(named(e.value, e.key.key(), e.key.window().startTime()));
            }
        }
        List<UserDay> userDays = new ArrayList<>();
        if (user != null) {
            ReadOnlyWindowStore<String, UserDay> dayStore = streams.store(StoreQueryParameters.fromNameAndType(
                    AnalyticsTopology.USER_DAY_STORE, QueryableStoreTypes.windowStore()));
            Instant today = LocalDate.ofInstant(now, ZoneOffset.UTC).atStartOfDay(ZoneOffset.UTC).toInstant();
            try (WindowStoreIterator<UserDay> it = dayStore.fetch(Long.toString(user),
                    today.minus(Duration.ofDays(days - 1L)), today)) {
                while (it.hasNext()) {
                    KeyValue<Long, UserDay> e = it.next();
                    UserDay d = e.value;
                    userDays.add(new UserDay(user, LocalDate.ofInstant(Instant.ofEpochMilli(e.key), ZoneOffset.UTC),
                            d.requests(), d.successes(), d.spendMinor(), d.currency()));
                }
            }
        }
        return new Stats(from, to.plus(Duration.ofMinutes(1)), totals, sorted(rows), userDays);
    }

    private static ModelMinute named(ModelMinute m, String model, Instant start) {
        return new ModelMinute(model, start, m.requests(), m.successes(), m.failures(), m.rejections(),
                m.lateResults(), m.revenueMinor(), m.currency(), m.kieCredits(), m.timeToResult());
    }

    private List<HostInfo> others(KafkaStreams streams) {
        if (settings.advertisedAddress().isEmpty()) {
            return List.of();
        }
        List<HostInfo> hosts = new ArrayList<>();
        for (StreamsMetadata m : streams.metadataForAllStreamsClients()) {
            HostInfo h = m.hostInfo();
            if (h != null && !h.equals(HostInfo.buildFromEndpoint(settings.advertisedAddress()))
                    && h.port() > 0) {
                hosts.add(h);
            }
        }
        return hosts;
    }

    static Stats merge(Stats a, Stats b) {
        if (b == null) {
            return a;
        }
        List<ModelMinute> rows = new ArrayList<>(a.minutes());
        rows.addAll(b.minutes());
        List<UserDay> days = new ArrayList<>(a.userDays());
        days.addAll(b.userDays());
        days.sort(Comparator.comparing(UserDay::day));
        return new Stats(a.from(), a.to(), a.totals() != null ? a.totals() : b.totals(), sorted(rows), days);
    }

    private static List<ModelMinute> sorted(List<ModelMinute> rows) {
        rows.sort(Comparator.comparing(ModelMinute::minuteStart).thenComparing(ModelMinute::model));
        return rows;
    }

    private static ResponseEntity<?> unavailable(String why) {
        return ResponseEntity.status(503).header("Retry-After", "5").body(Map.of("error", "temporarily_unavailable",
                "message", "analytics is starting or rebalancing (" + why + "); try again shortly"));
    }
}
