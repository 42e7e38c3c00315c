package io.kiepipeline.orchestrator.jobs.core;

import io.kiepipeline.orchestrator.catalog.ModelCatalog;
import io.kiepipeline.orchestrator.catalog.ModelCatalog.Checked;
import io.kiepipeline.schemas.GatewayEvent.GenerationRequested;
import io.kiepipeline.schemas.JobEvent;
import io.kiepipeline.schemas.JobRejectionReason;
import io.kiepipeline.schemas.KieCommand;
import io.kiepipeline.schemas.Language;
import io.kiepipeline.schemas.LedgerCommand;
import io.kiepipeline.schemas.Limits;
import io.kiepipeline.schemas.Message;
import io.kiepipeline.schemas.Money;
import io.kiepipeline.schemas.OutputType;
import io.kiepipeline.schemas.QuoteOffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * Decides what a generation request becomes: a job that is held (paid model) or submitted (free model), or a job
 * rejected with its reason. Pure: the caller stores the state, the messages and any new quote in one transaction.
 *
 * <p>Prices: a request that names a quote holds exactly the quote's price, with the quote's input, as long as the
 * quote is this user's, unused, unexpired and from the catalog version in force; otherwise it is refused, and when the
 * quote only went stale (expired, or the catalog changed) the refusal carries a new quote to confirm. The user is never
 * charged a price they did not see. A request without a quote is priced from the catalog when the job is made.
 */
public final class JobIntake {
    private final ModelCatalog catalog;
    private final SagaSettings settings;
    private final String currency;
    private final Duration quoteTtl;

    /**
     * How much a user (and, for free models, everyone) has used, counted by the caller under a lock so that requests
     * at the same moment cannot all slip under a limit: jobs running now, requests in the last minute, free jobs made
     * today (UTC) by the user and by everyone.
     */
    public record Usage(int running, int lastMinute, int freeToday, int freeTodayEveryone) {
        public static final Usage NONE = new Usage(0, 0, 0, 0);
    }

    /** The limits one user (and the free tier) are held to; 0 means no limit. */
    public record UsageLimits(int maxRunning, int perMinute, int freePerUserDaily, int freeDailyBudget) {
        public static final UsageLimits NONE = new UsageLimits(0, 0, 0, 0);
    }

    /** What the intake decided, and what the caller stores besides the job. */
    public record Decision(Reaction reaction, Quote issued, UUID usedQuote, String catalogVersion) {
    }

    private final java.util.function.Function<String, Duration> kieTimeout;

    public JobIntake(ModelCatalog catalog, SagaSettings settings, String currency, Duration quoteTtl) {
        this(catalog, settings, currency, quoteTtl, model -> settings.timeout());
    }

    public JobIntake(ModelCatalog catalog, SagaSettings settings, String currency, Duration quoteTtl,
                     java.util.function.Function<String, Duration> kieTimeout) {
        this.catalog = catalog;
        this.settings = settings;
        this.currency = currency;
        this.quoteTtl = quoteTtl;
        this.kieTimeout = kieTimeout;
    }

    /** The id of the new quote a refusal for a stale quote carries: derived from the job, so a replay makes the same. */
    public static UUID requoteIdFor(UUID jobId) {
        return UUID.nameUUIDFromBytes(("requote:" + jobId).getBytes(StandardCharsets.UTF_8));
    }

    public String catalogVersion() {
        return catalog.version();
    }

    /** A quote for a user's input, or why there is none: what {@code POST /api/v1/quotes} answers. */
    public Checked quote(String model, Map<String, Object> input, Language language) {
        return catalog.check(model, input, language);
    }

    /** A new quote of a valid input. */
    public Quote issue(UUID quoteId, long userId, Checked.Valid valid, Instant now) {
        return new Quote(quoteId, userId, valid.model().id(), valid.input(), valid.priceMinor(), currency,
                catalog.version(), now, now.plus(quoteTtl), null);
    }

    /** Decides a request while KIE can take tasks. */
    public Decision decide(GenerationRequested r, Optional<Quote> quote, Instant now) {
        return decide(r, quote, true, now);
    }

    /** Whether a request for this model counts against the free tier. */
    public boolean isFree(String model) {
        return catalog.find(model).map(m -> m.free()).orElse(false);
    }

    public Decision decide(GenerationRequested r, Optional<Quote> quote, boolean kieAvailable, Instant now) {
        return decide(r, quote, kieAvailable, Usage.NONE, UsageLimits.NONE, now);
    }

    /**
     * @param kieAvailable false while no KIE key can take tasks (every account refused): every new request is
     *                     refused before any hold, with a "temporarily unavailable" the user can act on
     */
    public Decision decide(GenerationRequested r, Optional<Quote> quote, boolean kieAvailable, Usage usage,
                           UsageLimits limits, Instant now) {
        Language lang = r.language() == null ? Language.EN : r.language();
        boolean ru = lang == Language.RU;
        if (r.model().length() > Limits.MODEL_ID) {
            // Not from our gateway, which bounds it; stored cut, so the refusal itself fits the job's columns.
            return plain(rejected(r, null, 0, JobRejectionReason.UNKNOWN_MODEL, "unknown model: the id is longer than "
                    + Limits.MODEL_ID + " characters", null, now));
        }
        if (!kieAvailable) {
            return plain(rejected(r, null, 0, JobRejectionReason.KIE_UNAVAILABLE, lang == Language.RU
                    ? "генерация временно недоступна, ничего не списано; попробуйте через несколько минут"
                    : "generation is temporarily unavailable; nothing was charged, try again in a few minutes",
                    null, now));
        }
        if (limits.maxRunning() > 0 && usage.running() >= limits.maxRunning()) {
            return plain(rejected(r, null, 0, JobRejectionReason.TOO_MANY_RUNNING, ru
                    ? "у вас уже " + usage.running() + " генерации в работе; дождитесь результата одной из них"
                    : "you already have " + usage.running() + " generations running; wait for one to finish",
                    null, now));
        }
        if (limits.perMinute() > 0 && usage.lastMinute() >= limits.perMinute()) {
            return plain(rejected(r, null, 0, JobRejectionReason.RATE_LIMITED, ru
                    ? "слишком много запросов за минуту; подождите немного"
                    : "too many requests in a minute; please wait a little", null, now));
        }
        if (isFree(r.model())) {
            if (limits.freePerUserDaily() > 0 && usage.freeToday() >= limits.freePerUserDaily()) {
                return plain(rejected(r, null, 0, JobRejectionReason.FREE_LIMIT_REACHED, ru
                        ? "бесплатный лимит на сегодня исчерпан (" + limits.freePerUserDaily() + " в день); он"
                        + " обновится в 00:00 UTC, платные модели доступны"
                        : "today's free limit is used (" + limits.freePerUserDaily() + " a day); it renews at"
                        + " 00:00 UTC, and paid models are available", null, now));
            }
            if (limits.freeDailyBudget() > 0 && usage.freeTodayEveryone() >= limits.freeDailyBudget()) {
                return plain(rejected(r, null, 0, JobRejectionReason.FREE_BUDGET_EXHAUSTED, ru
                        ? "бесплатные генерации на сегодня закончились; они вернутся в 00:00 UTC"
                        : "today's free generations are used up; they come back at 00:00 UTC", null, now));
            }
        }
        if (r.quoteId() == null) {
            return checked(r, catalog.check(r.model(), r.input(), lang), null, now);
        }
        Quote q = quote.orElse(null);
        if (q == null || q.userId() != r.userId().value() || !q.model().equals(r.model())) {
            return plain(rejected(r, null, 0, JobRejectionReason.QUOTE_INVALID, lang == Language.RU
                    ? "расчёт цены не найден; запросите новый" : "no such quote for this user and model; ask for a new"
                    + " one", null, now));
        }
        if (q.usedByJob() != null && !q.usedByJob().equals(r.jobId().value())) {
            return plain(rejected(r, null, 0, JobRejectionReason.QUOTE_INVALID, lang == Language.RU
                    ? "этот расчёт цены уже использован; запросите новый"
                    : "this quote was already used for another job; ask for a new one", null, now));
        }
        if (!r.input().isEmpty() && !sameInput(q.input(), r.input())) {
            return plain(rejected(r, null, 0, JobRejectionReason.QUOTE_INVALID, lang == Language.RU
                    ? "параметры отличаются от расчёта цены; запросите новый"
                    : "the input differs from the quoted one; ask for a new quote", null, now));
        }
        Checked now_ = catalog.check(q.model(), q.input(), lang);
        if (!(now_ instanceof Checked.Valid valid)) {
            return checked(r, now_, null, now);
        }
        boolean changed = !q.catalogVersion().equals(catalog.version()) || valid.priceMinor() != q.priceMinor();
        if (changed || q.expiredAt(now)) {
            Quote fresh = issue(requoteIdFor(r.jobId().value()), q.userId(), valid, now);
            String detail = requoteDetail(q, fresh, changed, lang);
            return new Decision(rejected(r, valid.model().outputType(), valid.priceMinor(),
                    JobRejectionReason.QUOTE_CHANGED, detail, fresh.offer(), now), fresh, null, catalog.version());
        }
        return new Decision(accepted(r, valid, q.priceMinor(), q.quoteId(), now).reaction(), null, q.quoteId(),
                catalog.version());
    }

    private Decision checked(GenerationRequested r, Checked checked, UUID quoteId, Instant now) {
        return switch (checked) {
            case Checked.UnknownModel u -> plain(rejected(r, null, 0, JobRejectionReason.UNKNOWN_MODEL,
                    "unknown model: " + u.model(), null, now));
            case Checked.Disabled d -> plain(rejected(r, d.model().outputType(), 0, JobRejectionReason.MODEL_DISABLED,
                    d.model().id() + " is not available now", null, now));
            case Checked.InvalidInput i -> plain(rejected(r, i.model().outputType(), 0,
                    JobRejectionReason.INVALID_INPUT, (r.language() == Language.RU ? "неверные параметры для "
                            : "invalid input for ") + r.model() + ": " + i.summary(), null, now));
            case Checked.Valid v -> accepted(r, v, v.priceMinor(), quoteId, now);
        };
    }

    private Decision accepted(GenerationRequested r, Checked.Valid v, long price, UUID quoteId, Instant now) {
        boolean paid = price > 0;
        JobState job = new JobState(r.jobId(), r.userId(), r.chatId(), r.model(), v.input(),
                v.model().outputType(), price, currency,
                paid ? JobStatus.AWAITING_HOLD : JobStatus.SUBMITTING,
                paid ? HoldState.REQUESTED : HoldState.NONE, null, false, List.of(), null, null, 0,
                paid ? now.plus(settings.reconcileAfter()) : null,
                now.plus(paid ? settings.holdTimeout() : kieTimeout.apply(v.model().id())));
        Message created = new JobEvent.JobCreated(r.jobId(), r.userId(), r.chatId(), r.model(),
                v.model().outputType(), price, currency, r.source(), now, catalog.version(), quoteId, r.language(),
                r.progressMessageId());
        Message next = paid
                ? new LedgerCommand.PlaceHold(job.holdId(), r.jobId(), r.userId(), price, currency)
                : new KieCommand.SubmitKieTask(r.jobId(), r.userId(), r.model(), v.input(), job.deadlineAt());
        return new Decision(new Reaction(job, List.of(created, next), paid ? "job.created; hold requested"
                : "job.created; free model, submit requested", true), null, quoteId, catalog.version());
    }

    private String requoteDetail(Quote old, Quote fresh, boolean changed, Language lang) {
        String was = Money.of(old.priceMinor(), old.currency()).display();
        String is = Money.of(fresh.priceMinor(), fresh.currency()).display();
        if (lang == Language.RU) {
            return (changed ? "цены обновились" : "расчёт цены устарел") + ": было " + was + ", сейчас " + is
                    + ". Подтвердите новую цену.";
        }
        return (changed ? "prices changed" : "the quote expired") + ": it was " + was + ", it is now " + is
                + ". Confirm the new price.";
    }

    /** The request's fields, if it repeats any, agree with the quote's (which also holds the defaults). */
    private static boolean sameInput(Map<String, Object> quoted, Map<String, Object> requested) {
        return requested.entrySet().stream().allMatch(e -> Objects.equals(quoted.get(e.getKey()), e.getValue()));
    }

    private Decision plain(Reaction reaction) {
        return new Decision(reaction, null, null, catalog.version());
    }

    private Reaction rejected(GenerationRequested r, OutputType outputType, long price, JobRejectionReason reason,
                              String detail, QuoteOffer requote, Instant now) {
        String model = Limits.cap(r.model(), Limits.MODEL_ID);
        String capped = Limits.cap(detail, Limits.DETAIL);
        JobState job = new JobState(r.jobId(), r.userId(), r.chatId(), model, r.input(), outputType, price,
                currency, JobStatus.REJECTED, HoldState.NONE, null, false, List.of(), reason.name(), capped, 0, null,
                null);
        return new Reaction(job, List.of(new JobEvent.JobRejected(r.jobId(), r.userId(), r.chatId(), model,
                reason, capped, now, requote, r.language())), "job.rejected", true);
    }
}
