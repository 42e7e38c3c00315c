package io.kiepipeline.orchestrator.jobs.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.kiepipeline.orchestrator.catalog.CatalogModel;
import io.kiepipeline.orchestrator.catalog.ModelCatalog;
import io.kiepipeline.orchestrator.catalog.ModelCatalog.Checked;
import io.kiepipeline.schemas.ChatId;
import io.kiepipeline.schemas.GatewayEvent.GenerationRequested;
import io.kiepipeline.schemas.JobEvent;
import io.kiepipeline.schemas.JobId;
import io.kiepipeline.schemas.JobRejectionReason;
import io.kiepipeline.schemas.Language;
import io.kiepipeline.schemas.LedgerCommand;
import io.kiepipeline.schemas.MessageCodec;
import io.kiepipeline.schemas.RequestSource;
import io.kiepipeline.schemas.UserId;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

class JobIntakeTest {
    static final String VIDEO = "kling-2.6/image-to-video";
    static final Instant NOW = Instant.parse("2026-11-29T10:00:00Z");
    static final SagaSettings SETTINGS = new SagaSettings(Duration.ofMinutes(20), Duration.ofSeconds(3),
            Duration.ofSeconds(30), Duration.ofMinutes(2), Duration.ofMinutes(10), Duration.ofMinutes(1));
    static final UserId USER = new UserId(42);

    final ModelCatalog catalog = ModelCatalog.load("classpath:catalog/models.json");
    final JobIntake intake = new JobIntake(catalog, SETTINGS, "RUB", Duration.ofMinutes(15));

    @Test
    void holdEqualsTheQuoteForEveryOptionCombinationOfAVideoModel() {
        CatalogModel model = catalog.find(VIDEO).orElseThrow();
        List<Map<String, Object>> combinations = io.kiepipeline.orchestrator.catalog.ModelCatalogTestSupport
                .combinationsOf(model);
        assertThat(combinations).hasSizeGreaterThanOrEqualTo(4);
        long lowest = Long.MAX_VALUE;
        long highest = 0;
        for (Map<String, Object> options : combinations) {
            Map<String, Object> input = new LinkedHashMap<>(model.example());
            input.putAll(options);
            Quote quote = quote(VIDEO, input);

            JobIntake.Decision d = intake.decide(request(quote.quoteId(), Map.of()), Optional.of(quote), NOW);

            LedgerCommand.PlaceHold hold = (LedgerCommand.PlaceHold) d.reaction().emit().get(1);
            assertThat(hold.amountMinor()).as(options.toString()).isEqualTo(quote.priceMinor());
            assertThat(d.reaction().next().priceMinor()).isEqualTo(quote.priceMinor());
            assertThat(d.reaction().next().input()).containsAllEntriesOf(options);
            assertThat(d.usedQuote()).isEqualTo(quote.quoteId());
            assertThat(((JobEvent.JobCreated) d.reaction().emit().getFirst()).quoteId()).isEqualTo(quote.quoteId());
            lowest = Math.min(lowest, quote.priceMinor());
            highest = Math.max(highest, quote.priceMinor());
        }
        // the options really change the price: 10 s with sound is not the price of 5 s silent
        assertThat(highest).isGreaterThan(lowest);
    }

    @Test
    void aCatalogChangeBetweenQuoteAndConfirmationGivesANewQuoteNeverADifferentCharge() {
        Quote quote = quote(VIDEO, Map.of("prompt", "a cat walks", "image_urls", List.of("https://example.com/c.png"),
                "duration", "10", "sound", true));
        ModelCatalog repriced = repriced(VIDEO, 3);
        JobIntake afterDeploy = new JobIntake(repriced, SETTINGS, "RUB", Duration.ofMinutes(15));

        JobIntake.Decision d = afterDeploy.decide(request(quote.quoteId(), Map.of()), Optional.of(quote), NOW);

        assertThat(d.reaction().next().status()).isEqualTo(JobStatus.REJECTED);
        assertThat(d.reaction().emit()).hasSize(1).noneMatch(m -> m instanceof LedgerCommand);
        JobEvent.JobRejected rejected = (JobEvent.JobRejected) d.reaction().emit().getFirst();
        assertThat(rejected.reason()).isEqualTo(JobRejectionReason.QUOTE_CHANGED);
        assertThat(rejected.requote()).isNotNull();
        assertThat(rejected.requote().priceMinor()).isEqualTo(quote.priceMinor() * 3);
        assertThat(rejected.requote().catalogVersion()).isEqualTo(repriced.version())
                .isNotEqualTo(quote.catalogVersion());
        assertThat(d.issued().quoteId()).isEqualTo(rejected.requote().quoteId());

        // confirming the new quote holds the new price, exactly
        JobIntake.Decision again = afterDeploy.decide(request(d.issued().quoteId(), Map.of()), Optional.of(d.issued()),
                NOW.plusSeconds(5));
        assertThat(((LedgerCommand.PlaceHold) again.reaction().emit().get(1)).amountMinor())
                .isEqualTo(rejected.requote().priceMinor());
    }

    @Test
    void anExpiredQuoteIsQuotedAgain() {
        Quote quote = quote(VIDEO, Map.of("prompt", "a cat", "image_urls", List.of("https://example.com/c.png")));

        JobIntake.Decision d = intake.decide(request(quote.quoteId(), Map.of()), Optional.of(quote),
                quote.expiresAt().plusSeconds(1));

        JobEvent.JobRejected rejected = (JobEvent.JobRejected) d.reaction().emit().getFirst();
        assertThat(rejected.reason()).isEqualTo(JobRejectionReason.QUOTE_CHANGED);
        assertThat(rejected.requote().priceMinor()).isEqualTo(quote.priceMinor());
        assertThat(rejected.detail()).contains("expired");
    }

    @Test
    void anotherUsersQuoteAUsedQuoteOrAnotherInputIsRefusedWithoutAHold() {
        Quote quote = quote(VIDEO, Map.of("prompt", "a cat", "image_urls", List.of("https://example.com/c.png")));
        Quote someoneElses = new Quote(quote.quoteId(), 7, quote.model(), quote.input(), quote.priceMinor(),
                quote.currency(), quote.catalogVersion(), quote.createdAt(), quote.expiresAt(), null);
        Quote used = new Quote(quote.quoteId(), quote.userId(), quote.model(), quote.input(), quote.priceMinor(),
                quote.currency(), quote.catalogVersion(), quote.createdAt(), quote.expiresAt(), UUID.randomUUID());

        for (JobIntake.Decision d : List.of(
                intake.decide(request(quote.quoteId(), Map.of()), Optional.of(someoneElses), NOW),
                intake.decide(request(quote.quoteId(), Map.of()), Optional.of(used), NOW),
                intake.decide(request(quote.quoteId(), Map.of()), Optional.empty(), NOW),
                intake.decide(request(quote.quoteId(), Map.of("duration", "10")), Optional.of(quote), NOW))) {
            assertThat(d.reaction().emit()).singleElement().isInstanceOfSatisfying(JobEvent.JobRejected.class,
                    r -> assertThat(r.reason()).isEqualTo(JobRejectionReason.QUOTE_INVALID));
            assertThat(d.usedQuote()).isNull();
        }
    }

    @Test
    void aRequestWithoutAQuoteIsPricedByItsOptions() {
        JobIntake.Decision silent = intake.decide(request(null, Map.of("prompt", "a cat", "image_urls",
                List.of("https://example.com/c.png"))), Optional.empty(), NOW);
        JobIntake.Decision loud = intake.decide(request(null, Map.of("prompt", "a cat", "image_urls",
                List.of("https://example.com/c.png"), "duration", "10", "sound", true)), Optional.empty(), NOW);

        long silentPrice = ((LedgerCommand.PlaceHold) silent.reaction().emit().get(1)).amountMinor();
        long loudPrice = ((LedgerCommand.PlaceHold) loud.reaction().emit().get(1)).amountMinor();
        assertThat(loudPrice).isGreaterThan(silentPrice);
        assertThat(silent.catalogVersion()).isEqualTo(catalog.version());
    }

    @Test
    void anInvalidInputIsRefusedInTheUsersLanguageBeforeAnyHold() {
        GenerationRequested r = new GenerationRequested(new JobId(UUID.randomUUID()), "k", USER, new ChatId(1), VIDEO,
                Map.of("prompt", "a cat", "image_urls", List.of("https://example.com/c.png"), "duration", "7"), NOW,
                RequestSource.TELEGRAM, null, Language.RU);

        JobIntake.Decision d = intake.decide(r, Optional.empty(), NOW);

        assertThat(d.reaction().emit()).singleElement().isInstanceOfSatisfying(JobEvent.JobRejected.class, e -> {
            assertThat(e.reason()).isEqualTo(JobRejectionReason.INVALID_INPUT);
            assertThat(e.detail()).contains("Длительность").contains("5, 10");
        });
    }

    static final JobIntake.UsageLimits LIMITS = new JobIntake.UsageLimits(3, 20, 5, 100);

    @Test
    void aUserWithAsManyJobsRunningAsAllowedIsRefusedBeforeAnyHold() {
        JobIntake.Decision d = intake.decide(plain("nano-banana-pro", Language.EN), Optional.empty(), true,
                new JobIntake.Usage(3, 3, 0, 0), LIMITS, NOW);

        assertThat(d.reaction().emit()).singleElement().isInstanceOfSatisfying(JobEvent.JobRejected.class, e -> {
            assertThat(e.reason()).isEqualTo(JobRejectionReason.TOO_MANY_RUNNING);
            assertThat(e.detail()).contains("3 generations running");
        });
    }

    @Test
    void tooManyRequestsInAMinuteAreRefusedInTheUsersLanguage() {
        JobIntake.Decision d = intake.decide(plain("nano-banana-pro", Language.RU), Optional.empty(), true,
                new JobIntake.Usage(0, 20, 0, 0), LIMITS, NOW);

        assertThat(d.reaction().emit()).singleElement().isInstanceOfSatisfying(JobEvent.JobRejected.class, e -> {
            assertThat(e.reason()).isEqualTo(JobRejectionReason.RATE_LIMITED);
            assertThat(e.detail()).contains("слишком много запросов");
        });
    }

    @Test
    void theFreeTierHasADailyLimitPerUserAndABudgetForEveryoneButPaidModelsAreNotCounted() {
        GenerationRequested free = plain("google/nano-banana", Language.EN);

        JobIntake.Decision userLimit = intake.decide(free, Optional.empty(), true, new JobIntake.Usage(0, 0, 5, 5),
                LIMITS, NOW);
        JobIntake.Decision budget = intake.decide(free, Optional.empty(), true, new JobIntake.Usage(0, 0, 1, 100),
                LIMITS, NOW);
        JobIntake.Decision underBoth = intake.decide(free, Optional.empty(), true, new JobIntake.Usage(0, 0, 4, 99),
                LIMITS, NOW);
        JobIntake.Decision paid = intake.decide(plain("nano-banana-pro", Language.EN), Optional.empty(), true,
                new JobIntake.Usage(0, 0, 5, 100), LIMITS, NOW);

        assertThat(((JobEvent.JobRejected) userLimit.reaction().emit().getFirst()).reason())
                .isEqualTo(JobRejectionReason.FREE_LIMIT_REACHED);
        assertThat(((JobEvent.JobRejected) userLimit.reaction().emit().getFirst()).detail()).contains("5 a day");
        assertThat(((JobEvent.JobRejected) budget.reaction().emit().getFirst()).reason())
                .isEqualTo(JobRejectionReason.FREE_BUDGET_EXHAUSTED);
        assertThat(underBoth.reaction().emit()).noneMatch(JobEvent.JobRejected.class::isInstance);
        assertThat(paid.reaction().emit()).noneMatch(JobEvent.JobRejected.class::isInstance);
    }

    @Test
    void noLimitIsAppliedWhereALimitIsZero() {
        JobIntake.Decision d = intake.decide(plain("google/nano-banana", Language.EN), Optional.empty(), true,
                new JobIntake.Usage(50, 500, 500, 50_000), JobIntake.UsageLimits.NONE, NOW);

        assertThat(d.reaction().emit()).noneMatch(JobEvent.JobRejected.class::isInstance);
    }

    private static GenerationRequested plain(String model, Language language) {
        return new GenerationRequested(new JobId(UUID.randomUUID()), "key-" + UUID.randomUUID(), USER, new ChatId(1),
                model, Map.of("prompt", "a fox"), NOW, RequestSource.TELEGRAM, null, language);
    }

    private Quote quote(String model, Map<String, Object> input) {
        Checked checked = intake.quote(model, input, Language.EN);
        assertThat(checked).as(input.toString()).isInstanceOf(Checked.Valid.class);
        return intake.issue(UUID.randomUUID(), USER.value(), (Checked.Valid) checked, NOW);
    }

    private static GenerationRequested request(UUID quoteId, Map<String, Object> input) {
        return new GenerationRequested(new JobId(UUID.randomUUID()), "key-" + UUID.randomUUID(), USER, new ChatId(1),
                VIDEO, input, NOW, RequestSource.API, quoteId, Language.EN);
    }

    /** The shipped catalog with every price of one model multiplied: what a deploy of new prices looks like. */
    private static ModelCatalog repriced(String modelId, int factor) {
        ObjectNode root = (ObjectNode) MessageCodec.mapper().readTree(ModelCatalog.class.getClassLoader()
                .getResourceAsStream("catalog/models.json"));
        for (var m : root.get("models")) {
            if (m.get("id").asString().equals(modelId)) {
                for (var sku : m.get("price").get("skus")) {
                    ((ObjectNode) sku).put("priceMinor", sku.get("priceMinor").asLong() * factor);
                }
            }
        }
        return ModelCatalog.parse(root);
    }
}
