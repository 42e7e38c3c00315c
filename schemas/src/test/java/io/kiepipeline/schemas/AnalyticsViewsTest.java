package io.kiepipeline.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.kiepipeline.schemas.AnalyticsViews.ModelMinute;
import io.kiepipeline.schemas.AnalyticsViews.TimeToResult;
import io.kiepipeline.schemas.AnalyticsViews.Totals;
import io.kiepipeline.schemas.AnalyticsViews.UserDay;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;

class AnalyticsViewsTest {
    private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);

    @Test
    void everyViewValidatesAgainstItsJsonSchemaAndReadsBackEqual() throws IOException {
        TimeToResult times = TimeToResult.empty().plus(900).plus(1200).plus(30_000);
        List<Object> examples = List.of(
                new ModelMinute("flux-kontext-pro", Instant.parse("2026-11-29T13:05:00Z"), 3, 2, 1, 0, 0, 3000,
                        "RUB", 12, times),
                new UserDay(1001, LocalDate.parse("2026-11-29"), 3, 2, 3000, "RUB"),
                new Totals(3, 2, 1, 0, 0, 3000, "RUB", 12, times, Instant.parse("2026-11-29T13:05:31Z")));
        for (AnalyticsViews.View view : AnalyticsViews.ALL) {
            Object example = examples.stream().filter(view.payload()::isInstance).findFirst().orElseThrow();
            String json = MessageCodec.mapper().writeValueAsString(example);
            try (InputStream in = getClass().getResourceAsStream("/schemas/" + view.type() + ".schema.json")) {
                assertThat(in).as("schema of %s", view.type()).isNotNull();
                List<Error> errors = REGISTRY.getSchema(new String(in.readAllBytes(), StandardCharsets.UTF_8),
                        InputFormat.JSON).validate(json, InputFormat.JSON,
                        ctx -> ctx.executionConfig(cfg -> cfg.formatAssertionsEnabled(true)));
                assertThat(errors).as("%s: %s", view.type(), json).isEmpty();
            }
            assertThat(MessageCodec.mapper().readValue(json, view.payload())).isEqualTo(example);
        }
    }

    @Test
    void quantilesAreReadFromTenPercentBucketsAndAreNeverLow() {
        TimeToResult times = TimeToResult.empty();
        for (int ms = 1; ms <= 1000; ms++) {
            times = times.plus(ms * 10L);
        }

        assertThat(times.count()).isEqualTo(1000);
        assertThat(times.p50Millis()).isBetween(5000L, 5500L);
        assertThat(times.p95Millis()).isBetween(9500L, 10450L);
        assertThat(TimeToResult.bucketOf(1)).isEqualTo(1);
        assertThat(TimeToResult.bucketOf(0)).isEqualTo(1);
        assertThat(TimeToResult.bucketOf(1000)).isBetween(1000L, 1100L);
    }

    @Test
    void histogramsOfSeveralMinutesAddUpBucketByBucket() {
        TimeToResult a = TimeToResult.empty().plus(100).plus(100);
        TimeToResult b = TimeToResult.empty().plus(100).plus(5000);

        TimeToResult sum = a.plus(b);

        assertThat(sum.count()).isEqualTo(4);
        assertThat(sum.buckets().get(TimeToResult.bucketOf(100))).isEqualTo(3);
        assertThat(sum.p50Millis()).isEqualTo(TimeToResult.bucketOf(100));
        assertThat(sum.p95Millis()).isEqualTo(TimeToResult.bucketOf(5000));
    }
}
