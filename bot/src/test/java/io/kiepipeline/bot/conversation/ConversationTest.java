package io.kiepipeline.bot.conversation;

import static org.assertj.core.api.Assertions.assertThat;

import io.kiepipeline.bot.conversation.ChatState.Step;
import io.kiepipeline.bot.conversation.Effect.AnswerTap;
import io.kiepipeline.bot.conversation.Effect.Button;
import io.kiepipeline.bot.conversation.Effect.Edit;
import io.kiepipeline.bot.conversation.Effect.Generate;
import io.kiepipeline.bot.conversation.Effect.Keyboard;
import io.kiepipeline.bot.conversation.Effect.Send;
import io.kiepipeline.schemas.Language;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The conversation over the real catalog (the orchestrator's models.json as /internal/models serves it), one flow per
 * kind of model, in both languages: menus, cards, the wizard, settings, the confirmation with the quote, and the
 * answers to what does not fit (unknown text, media, stale buttons).
 */
class ConversationTest {
    private static final long USER = 42;
    private static final List<BotModel> CATALOG = catalog();

    private final FakeBackend backend = new FakeBackend();
    private final Conversation conversation = new Conversation(backend);
    private ChatState state;
    private final AtomicInteger messageIds = new AtomicInteger(100);
    private final AtomicInteger queries = new AtomicInteger();

    @Test
    void startShowsTheBalanceAndTheMenuInTheUsersLanguage() {
        List<Effect> en = command("start", "en");
        state = null;
        List<Effect> ru = command("start", "ru");

        assertThat(text(en.get(0))).contains("Balance: <b>100.00");
        assertThat(buttons(en.get(1))).contains("🖼 Images", "✏️ Edit a photo", "🎬 Video", "🎵 Audio", "🎁 Free");
        assertThat(text(ru.get(0))).contains("Баланс: <b>100.00");
        assertThat(buttons(ru.get(1))).contains("🖼 Изображения", "🎁 Бесплатно");
    }

    @Test
    void theLanguageIsTheUsersTelegramOneUntilTheyChooseAnotherWhichThenSticks() {
        command("start", "en");
        List<Effect> pick = command("language", "en");
        assertThat(buttons(pick.getFirst())).containsExactly("Русский", "English");

        List<Effect> chosen = tap("l:ru");
        assertThat(chosen).filteredOn(Edit.class::isInstance).singleElement()
                .satisfies(e -> assertThat(((Edit) e).html()).isEqualTo(Texts.get(Language.RU, "language.set")));
        assertThat(buttons(chosen.getLast())).contains("🖼 Изображения");
        // Telegram still says English; the user's choice wins, in every later answer
        assertThat(text(command("balance", "en").getFirst())).contains("Баланс");
        assertThat(buttons(command("start", "en").get(1))).contains("🖼 Изображения");

        tap("l:en");
        assertThat(text(command("balance", "ru").getFirst())).contains("Balance");
    }

    @Test
    void textToImageGoesFromTheMenuThroughTheCardAndThePromptToAConfirmedJob() {
        command("start", "en");
        Edit list = edit(tap("s:IMAGES:0"));
        assertThat(list.html()).contains("pick a model (page 1 of");
        assertThat(buttons(list)).anyMatch(b -> b.startsWith("Nano Banana Pro"));

        Edit card = edit(tap("m:nano-banana-pro"));
        assertThat(card.html()).contains("<b>Nano Banana Pro").contains("Price: from");
        Edit ask = edit(tap("g:nano-banana-pro"));
        assertThat(ask.html()).contains("send it as a message");

        List<Effect> afterPrompt = say("a red fox <in> snow & ice");
        assertThat(text(afterPrompt.getFirst())).contains("Use the default settings");
        Edit confirmation = edit(tap("d:nano-banana-pro"));
        assertThat(confirmation.html()).contains("Price: <b>15.00").contains("Balance after: 85.00")
                .contains("a red fox &lt;in&gt; snow &amp; ice").contains("charged only if the result arrives");

        List<Effect> started = tap(data(confirmation, "ok:"));
        Generate job = generate(started);
        assertThat(job.modelId()).isEqualTo("nano-banana-pro");
        assertThat(job.input()).containsEntry("prompt", "a red fox <in> snow & ice");
        assertThat(job.quoteId()).isEqualTo(backend.lastQuote);
        assertThat(state.step()).isEqualTo(Step.IDLE);
    }

    @Test
    void aDoubleTapOnConfirmMakesOneJob() {
        command("start", "en");
        tap("g:nano-banana-pro");
        say("a fox");
        Edit confirmation = edit(tap("d:nano-banana-pro"));
        String ok = data(confirmation, "ok:");

        List<Effect> first = tap(ok);
        List<Effect> second = tap(ok);

        assertThat(first).filteredOn(Generate.class::isInstance).hasSize(1);
        assertThat(second).filteredOn(Generate.class::isInstance).isEmpty();
        assertThat(second).singleElement().isInstanceOfSatisfying(AnswerTap.class,
                a -> assertThat(a.text()).isEqualTo("This button is out of date."));
    }

    @Test
    void theSameConfirmationHandledTwiceGivesTheSameIdempotencyKey() {
        command("start", "en");
        tap("g:nano-banana-pro");
        say("a fox");
        Edit confirmation = edit(tap("d:nano-banana-pro"));
        ChatState beforeConfirm = state;
        Generate once = generate(tap(data(confirmation, "ok:")));
        state = beforeConfirm; // the update came again before its state was stored

        Generate again = generate(tap(data(confirmation, "ok:")));

        assertThat(again.idempotencyKey()).isEqualTo(once.idempotencyKey());
    }

    @Test
    void aPhotoEditAsksForThePhotoFirstThenThePrompt() {
        command("start", "ru");
        Edit ask = edit(tap("g:google/nano-banana-edit"));
        assertThat(ask.html()).contains("отправьте фото");

        List<Effect> afterText = say("сделай синим");
        assertThat(text(afterText.getFirst())).isEqualTo("Пожалуйста, отправьте фото.");

        List<Effect> afterPhoto = photo("https://media.test/abc.jpg");
        assertThat(text(afterPhoto.getFirst())).contains("отправьте сообщением");
        say("сделай синим");
        Edit confirmation = edit(tap("d:google/nano-banana-edit"));

        assertThat(confirmation.html()).contains("Цена:").contains("📷");
        Generate job = generate(tap(data(confirmation, "ok:")));
        assertThat(job.input()).containsEntry("image_urls", List.of("https://media.test/abc.jpg"))
                .containsEntry("prompt", "сделай синим");
    }

    @Test
    void imageToVideoWithOptionsChangesDurationAndSoundInTheSettings() {
        command("start", "en");
        tap("g:kling-2.6/image-to-video");
        photo("https://media.test/cat.jpg");
        say("the cat turns its head");

        Edit sound = edit(tap("t:kling-2.6/image-to-video"));
        assertThat(buttons(sound)).contains("Yes", "No", "Keep: No");
        Edit duration = edit(tap(data(sound, "c:sound:", "Yes")));
        assertThat(buttons(duration)).contains("5", "10", "Keep: 5");
        Edit confirmation = edit(tap(data(duration, "c:duration:", "10")));

        assertThat(confirmation.html()).contains("• Duration (seconds): 10").contains("Yes");
        assertThat(backend.lastInput).containsEntry("duration", "10").containsEntry("sound", true);
    }

    @Test
    void audioAsksThePromptThenItsYesNoChoicesWithButtons() {
        command("start", "en");
        tap("g:suno/v5");

        List<Effect> askCustom = say("a song about the sea");
        assertThat(buttons(askCustom.getFirst())).contains("Yes", "No");
        Edit instrumental = edit(tap(data(askCustom.getFirst(), "c:customMode:", "No")));
        assertThat(buttons(instrumental)).contains("Yes", "No");
        Edit settings = edit(tap(data(instrumental, "c:instrumental:", "Yes")));
        assertThat(settings.html()).contains("Use the default settings");
        edit(tap("d:suno/v5"));

        assertThat(backend.lastInput).containsEntry("prompt", "a song about the sea")
                .containsEntry("customMode", false).containsEntry("instrumental", true);
        assertThat(state.step()).isEqualTo(Step.CONFIRMING);
    }

    @Test
    void aButtonOfAQuestionAlreadyAnsweredIsOutOfDateAndActsOnNothing() {
        command("start", "en");
        tap("g:kling-2.6/image-to-video");
        photo("https://media.test/cat.jpg");
        say("turn");
        Edit sound = edit(tap("t:kling-2.6/image-to-video"));
        String withSound = data(sound, "c:sound:", "Yes");
        tap(withSound);
        ChatState afterFirst = state;

        List<Effect> again = tap(withSound);

        assertThat(again.getFirst()).isInstanceOfSatisfying(AnswerTap.class,
                a -> assertThat(a.text()).isEqualTo("This button is out of date."));
        assertThat(state).isEqualTo(afterFirst);
    }

    @Test
    void textPhotosAndStickersOutsideTheWizardGetAHelpfulAnswer() {
        command("start", "en");

        assertThat(text(say("hello").getFirst())).isEqualTo("Pick a model first:");
        assertThat(text(photo("https://media.test/x.jpg").getFirst())).contains("pick a model that takes one");
        assertThat(text(conversation.handle(state, new Incoming.Other(USER, USER, "en", "sticker")).effects()
                .getFirst())).contains("Send /help");
        assertThat(text(command("frobnicate", "en").getFirst())).contains("I don't know that command");
        assertThat(tap("zzz:garbage")).first().isInstanceOf(AnswerTap.class);
    }

    @Test
    void everyTapIsAnsweredExactlyOnce() {
        command("start", "en");
        for (String data : List.of("menu", "s:VIDEO:0", "s:VIDEO:99", "s:NOPE:0", "m:nano-banana-pro", "m:gone/model",
                "g:nano-banana-pro", "c:prompt:0", "d:other", "ok:not-a-quote", "l:ru", "x", "", "k:duration")) {
            List<Effect> effects = tap(data);
            assertThat(effects).as(data).filteredOn(AnswerTap.class::isInstance).hasSize(1);
        }
    }

    @Test
    void notEnoughOnTheBalanceSaysSoInsteadOfAskingToConfirm() {
        backend.available = 1000;
        command("start", "en");
        tap("g:nano-banana-pro");
        say("a fox");

        Edit shortOfFunds = edit(tap("d:nano-banana-pro"));

        assertThat(shortOfFunds.html()).contains("Not enough on your balance").contains("10.00 RUB available");
        assertThat(buttons(shortOfFunds)).noneMatch(b -> b.startsWith("✅ Confirm"));
        assertThat(state.step()).isEqualTo(Step.IDLE);
    }

    @Test
    void aRefusedQuoteNamesTheProblemAndNothingStarts() {
        backend.refuse = "Prompt: too long";
        command("start", "en");
        tap("g:nano-banana-pro");
        say("a fox");

        List<Effect> refused = tap("d:nano-banana-pro");

        assertThat(edit(refused).html()).isEqualTo("Prompt: too long");
        assertThat(refused).noneMatch(Generate.class::isInstance);
    }

    @Test
    void theModelListIsPagedAndEveryButtonFitsTelegramsLimit() {
        command("start", "en");
        Edit first = edit(tap("s:IMAGES:0"));
        assertThat(first.keyboard().rows().size()).isLessThanOrEqualTo(Conversation.PAGE + 1);
        assertThat(buttons(first)).contains("▶️");
        Edit second = edit(tap("s:IMAGES:1"));
        assertThat(buttons(second)).contains("◀️");
        // Button refuses data over 64 bytes: every model's card and start button were built above and here
        for (BotModel m : CATALOG) {
            assertThat(edit(tap("m:" + m.id())).keyboard().rows()).isNotEmpty();
        }
    }

    @Test
    void everyTextExistsInBothLanguages() {
        assertThat(Texts.keys(Language.RU)).containsExactlyInAnyOrderElementsOf(Texts.keys(Language.EN));
    }

    @Test
    void generateWithAModelAndAPromptOpensItsWizardWithThePromptGivenAndStartsNothing() {
        List<Effect> effects = apply(new Incoming.Command(USER, USER, "en", "generate",
                "nano-banana-pro a fox in the snow"));

        assertThat(effects).noneMatch(Generate.class::isInstance);
        assertThat(text(effects.getFirst())).contains("Use the default settings");
        Edit confirmation = edit(tap("d:nano-banana-pro"));
        assertThat(confirmation.html()).contains("a fox in the snow").contains("Price: <b>15.00");
    }

    @Test
    void generateWithoutAModelExplainsItselfAndWithAnUnknownOneShowsTheMenu() {
        assertThat(text(apply(new Incoming.Command(USER, USER, "en", "generate", "")).getFirst()))
                .contains("Usage: /generate");
        List<Effect> unknown = apply(new Incoming.Command(USER, USER, "en", "generate", "no/such-model a fox"));
        assertThat(text(unknown.getFirst())).contains("There is no model with that name");
        assertThat(buttons(unknown.get(1))).contains("🖼 Images");
    }

    @Test
    void historyListsTheLastJobsAndRepeatsOneThroughItsWizardWithTheSameOptions() {
        backend.history.add(new Backend.PastJob("7d5e8c1a-0000-4000-8000-000000000001", "nano-banana-pro", "DELIVERED",
                1500, "RUB", "a <red> fox", Map.of("prompt", "a <red> fox", "resolution", "2K"),
                List.of("https://files.example/r.png")));
        backend.history.add(new Backend.PastJob("7d5e8c1a-0000-4000-8000-000000000002", "nano-banana-pro", "FAILED",
                1500, "RUB", "a blue fox", Map.of("prompt", "a blue fox"), List.of()));

        List<Effect> listed = command("history", "en");

        assertThat(text(listed.getFirst())).contains("1. Nano Banana Pro (text to image): ✅ done, 15.00 RUB")
                .contains("<i>a &lt;red&gt; fox</i>")
                .contains("2. Nano Banana Pro (text to image): ❌ not done, nothing charged\n");
        assertThat(buttons(listed.getFirst())).containsExactly("📤 1", "🔁 1", "🔁 2");
        List<Effect> repeated = tap(data(listed.getFirst(), "rp:7d5e8c1a-0000-4000-8000-000000000001"));
        assertThat(repeated.getFirst()).isInstanceOf(AnswerTap.class);
        assertThat(repeated).noneMatch(Generate.class::isInstance);
        Edit confirmation = edit(tap("d:nano-banana-pro"));
        assertThat(confirmation.html()).contains("a &lt;red&gt; fox");
        assertThat(backend.lastInput).containsEntry("resolution", "2K");
    }

    @Test
    void historySendsAResultAgainAndFindsOnlyTheUsersOwnJobs() {
        backend.history.add(new Backend.PastJob("7d5e8c1a-0000-4000-8000-000000000003", "nano-banana-pro", "DELIVERED",
                1500, "RUB", "a fox", Map.of("prompt", "a fox"), List.of("https://files.example/r.png?a=1&b=\"2")));

        List<Effect> again = tap("rs:7d5e8c1a-0000-4000-8000-000000000003");
        List<Effect> someoneElses = tap("rs:7d5e8c1a-0000-4000-8000-00000000ffff");

        assertThat(text(again.get(1))).contains("<a href=\"https://files.example/r.png?a=1&amp;b=&quot;2\">Result 1</a>");
        assertThat(text(someoneElses.getFirst())).contains("out of date");
        assertThat(someoneElses).noneMatch(Send.class::isInstance);
    }

    @Test
    void whenThePriceCannotBeHadTheWizardIsKeptAndTheUserAsksAgain() {
        command("start", "en");
        tap("g:nano-banana-pro");
        say("a patient fox");
        backend.unavailable = true;

        Edit unavailable = edit(tap("d:nano-banana-pro"));
        assertThat(unavailable.html()).contains("temporarily unavailable");
        assertThat(state.modelId()).isEqualTo("nano-banana-pro");
        backend.unavailable = false;
        Edit confirmation = edit(tap(data(unavailable, "rq:")));

        assertThat(confirmation.html()).contains("a patient fox").contains("Price: <b>15.00");
    }

    @Test
    void aFieldTheCatalogDroppedMeanwhileIsNotAsked() {
        state = new ChatState(Language.EN, Step.ASKING, "nano-banana-pro", Map.of(), List.of("prompt",
                "a_field_that_is_gone"), null, 0, null, 0);

        List<Effect> next = say("a fox");

        assertThat(text(next.getFirst())).contains("Use the default settings");
    }

    @Test
    void topUpOffersStarsPackagesAndInvoicesOnlyAnOfferedOne() {
        List<Effect> offer = command("topup", "en");

        assertThat(text(offer.getFirst())).contains("one Star adds 2.00 RUB");
        assertThat(buttons(offer.getFirst())).contains("⭐ 100 → 200.00 RUB", "⭐ Another number of Stars");
        Effect.Invoice invoice = (Effect.Invoice) tap("ts:100").get(1);
        assertThat(invoice.currency()).isEqualTo("XTR");
        assertThat(invoice.totalAmount()).isEqualTo(100);
        assertThat(invoice.creditMinor()).isEqualTo(20_000);
        assertThat(invoice.title()).hasSizeLessThanOrEqualTo(32);
        assertThat(tap("ts:99")).noneMatch(Effect.Invoice.class::isInstance);
    }

    @Test
    void anotherNumberOfStarsMustBeAWholeNumberInRange() {
        command("topup", "en");
        tap("ts:other");

        assertThat(text(say("lots").getFirst())).contains("from 1 to 10000");
        assertThat(text(say("10001").getFirst())).contains("from 1 to 10000");
        Effect.Invoice invoice = (Effect.Invoice) say("42").getFirst();

        assertThat(invoice.totalAmount()).isEqualTo(42);
        assertThat(state.step()).isEqualTo(Step.IDLE);
    }

    @Test
    void theFreeListShowsTheDailyLimit() {
        Conversation limited = new Conversation(backend, TopUpOffer.defaults("RUB"),
                Conversation.Referral.none("RUB"), 10);
        Conversation.Outcome out = limited.handle(null, new Incoming.Tap(USER, USER, "en", "q1", 5, "s:FREE:0"));

        assertThat(edit(out.effects()).html()).contains("Free: up to 10 a day");
    }

    @Test
    void historyWithoutJobsSaysSo() {
        assertThat(text(command("history", "en").getFirst())).contains("No jobs yet");
    }

    // ---- steps

    private List<Effect> command(String name, String languageCode) {
        return apply(new Incoming.Command(USER, USER, languageCode, name, ""));
    }

    private List<Effect> say(String text) {
        return apply(new Incoming.Text(USER, USER, null, text));
    }

    private List<Effect> photo(String url) {
        return apply(new Incoming.Photo(USER, USER, null, url, null));
    }

    private List<Effect> tap(String data) {
        return apply(new Incoming.Tap(USER, USER, null, "q" + queries.incrementAndGet(), messageIds.incrementAndGet(),
                data));
    }

    private List<Effect> apply(Incoming in) {
        Conversation.Outcome outcome = conversation.handle(state, in);
        state = outcome.state();
        return outcome.effects();
    }

    private static Edit edit(List<Effect> effects) {
        return effects.stream().filter(Edit.class::isInstance).map(Edit.class::cast).findFirst().orElseThrow(
                () -> new AssertionError("no edit in " + effects));
    }

    private static Generate generate(List<Effect> effects) {
        return effects.stream().filter(Generate.class::isInstance).map(Generate.class::cast).findFirst()
                .orElseThrow(() -> new AssertionError("no job in " + effects));
    }

    private static String text(Effect e) {
        return switch (e) {
            case Send s -> s.html();
            case Edit ed -> ed.html();
            case AnswerTap a -> String.valueOf(a.text());
            default -> e.toString();
        };
    }

    private static List<String> buttons(Effect e) {
        Keyboard k = e instanceof Send s ? s.keyboard() : ((Edit) e).keyboard();
        return k.rows().stream().flatMap(List::stream).map(Button::text).toList();
    }

    private static String data(Effect e, String prefix) {
        return data(e, prefix, null);
    }

    private static String data(Effect e, String prefix, String label) {
        Keyboard k = e instanceof Send s ? s.keyboard() : ((Edit) e).keyboard();
        return k.rows().stream().flatMap(List::stream)
                .filter(b -> b.data().startsWith(prefix) && (label == null || b.text().equals(label)))
                .map(Button::data).findFirst().orElseThrow(() -> new AssertionError("no button " + prefix + " "
                        + label + " in " + k));
    }

    // ---- the catalog as /internal/models serves it, and a backend that quotes

    private static List<BotModel> catalog() {
        try {
            JsonMapper json = JsonMapper.builder().build();
            JsonNode root = json.readTree(Files.readString(
                    Path.of("../orchestrator/src/main/resources/catalog/models.json")));
            List<BotModel> models = new ArrayList<>();
            for (JsonNode m : root.path("models")) {
                if (!m.path("enabled").asBoolean()) {
                    continue;
                }
                tools.jackson.databind.node.ObjectNode served = json.createObjectNode();
                served.set("id", m.get("id"));
                served.set("title", m.get("title"));
                served.set("description", m.get("description"));
                served.set("category", m.get("category"));
                served.set("outputType", m.get("outputType"));
                served.set("free", m.get("free"));
                long from = Long.MAX_VALUE;
                for (JsonNode sku : m.path("price").path("skus")) {
                    from = Math.min(from, sku.path("priceMinor").asLong());
                }
                served.put("priceFromMinor", m.path("free").asBoolean() ? 0 : from);
                served.put("currency", root.path("currency").asString());
                served.set("typicalSeconds", m.get("typicalSeconds"));
                served.set("inputSchema", m.get("inputSchema"));
                served.set("defaults", m.get("defaults"));
                models.add(BotModel.fromCatalog(served, root.path("fieldLabels")));
            }
            return List.copyOf(models);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final class FakeBackend implements Backend {
        long available = 10_000;
        String refuse;
        boolean unavailable;
        String lastQuote;
        Map<String, Object> lastInput;
        private final AtomicInteger quotes = new AtomicInteger();

        @Override
        public List<BotModel> models() {
            return CATALOG;
        }

        @Override
        public Account account(long userId) {
            return new Account(available, 0, "RUB");
        }

        final List<PastJob> history = new java.util.ArrayList<>();

        @Override
        public List<PastJob> history(long userId, int limit) {
            return history;
        }

        @Override
        public Quote quote(long userId, String modelId, Map<String, Object> input, Language language) {
            lastInput = input;
            if (unavailable) {
                return new Quote.Unavailable();
            }
            if (refuse != null) {
                return new Quote.Refused(refuse);
            }
            lastQuote = "quote-" + quotes.incrementAndGet();
            return new Quote.Priced(lastQuote, 1500, "RUB");
        }
    }
}
