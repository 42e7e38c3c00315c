package io.kiepipeline.bot.conversation;

import io.kiepipeline.bot.conversation.BotModel.Field;
import io.kiepipeline.bot.conversation.BotModel.Kind;
import io.kiepipeline.bot.conversation.ChatState.Step;
import io.kiepipeline.bot.conversation.Effect.AnswerTap;
import io.kiepipeline.bot.conversation.Effect.Button;
import io.kiepipeline.bot.conversation.Effect.Edit;
import io.kiepipeline.bot.conversation.Effect.Keyboard;
import io.kiepipeline.bot.conversation.Effect.Send;
import io.kiepipeline.schemas.Language;
import io.kiepipeline.schemas.Money;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The conversation: given where a chat stands and what the user just did, what the bot answers and where the chat
 * stands next. It decides only; the caller reads the catalog, balances and quotes through {@link Backend} before any
 * transaction, then stores the new state with the effects (messages, the job) in one.
 *
 * <p>The flow: a main menu by section (images, photo edits, video, audio, free) → a paged list of models → a model's
 * card (what it does, its price from, the usual wait) → the required inputs one by one (photos as uploads, the prompt
 * as text, choices as buttons) → "use defaults" or the optional settings → a confirmation with the options, the quoted
 * price and the balance after → the job. A tap answers its callback query exactly once; a tap on a button of a step
 * that is over is answered "out of date" and never acts. Every update gets an answer.
 */
public final class Conversation {
    static final int PAGE = 6;
    private static final int PROMPT_EXCERPT = 120;

    /** The main menu's sections, each a set of catalog categories (FREE: the free models of any category). */
    enum Section {
        IMAGES(EnumSet.of(BotModel.Category.TEXT_TO_IMAGE)),
        EDIT(EnumSet.of(BotModel.Category.IMAGE_EDIT, BotModel.Category.UPSCALE)),
        VIDEO(EnumSet.of(BotModel.Category.TEXT_TO_VIDEO, BotModel.Category.IMAGE_TO_VIDEO)),
        AUDIO(EnumSet.of(BotModel.Category.AUDIO)),
        FREE(EnumSet.noneOf(BotModel.Category.class));

        final Set<BotModel.Category> categories;

        Section(Set<BotModel.Category> categories) {
            this.categories = categories;
        }

        boolean holds(BotModel m) {
            return this == FREE ? m.free() : categories.contains(m.category());
        }
    }

    /** The new state and what to do. */
    public record Outcome(ChatState state, List<Effect> effects) {
    }

    private final Backend backend;

    private final TopUpOffer topUps;
    private final Referral referral;
    private final int freeDailyPerUser;

    /** How users invite others: the bot's username for the link, and what an invitation earns. */
    public record Referral(String botUsername, long bonusMinor, String currency) {
        public static Referral none(String currency) {
            return new Referral("", 0, currency);
        }
    }

    public Conversation(Backend backend) {
        this(backend, TopUpOffer.defaults("RUB"), Referral.none("RUB"));
    }

    public Conversation(Backend backend, TopUpOffer topUps, Referral referral) {
        this(backend, topUps, referral, 0);
    }

    /** @param freeDailyPerUser the free tier's daily limit per user, shown on the Free list (0: none) */
    public Conversation(Backend backend, TopUpOffer topUps, Referral referral, int freeDailyPerUser) {
        this.backend = backend;
        this.topUps = topUps;
        this.referral = referral;
        this.freeDailyPerUser = freeDailyPerUser;
    }

    public Outcome handle(ChatState current, Incoming in) {
        ChatState state = current != null ? current : ChatState.fresh(Language.fromTag(in.languageCode()));
        return switch (in) {
            case Incoming.Command c -> command(state, c);
            case Incoming.Text t -> text(state, t);
            case Incoming.Photo p -> photo(state, p);
            case Incoming.Tap t -> tap(state, t);
            case Incoming.Other o -> new Outcome(state, List.of(new Send(say(state, "unknown.other"),
                    Keyboard.NONE)));
            case Incoming.PreCheckout p -> throw new IllegalArgumentException("payments are the service's: " + p);
            case Incoming.Paid p -> throw new IllegalArgumentException("payments are the service's: " + p);
            case Incoming.Refunded r -> throw new IllegalArgumentException("payments are the service's: " + r);
        };
    }

    /** A plain answer in the user's language; the chat stays where it was (a tap is still answered). */
    public Outcome say(ChatState current, Incoming in, String key, Object... args) {
        ChatState state = current != null ? current : ChatState.fresh(Language.fromTag(in.languageCode()));
        String text = Texts.get(state.language(), key, args);
        return new Outcome(state, in instanceof Incoming.Tap t ? List.of(new AnswerTap(t.queryId(), text))
                : List.of(new Send(text, Keyboard.NONE)));
    }

    /** The wizard is over (what it needed is gone): said why, and back to the menu; a tap is answered. */
    public Outcome startOver(ChatState current, Incoming in, String key) {
        ChatState state = current != null ? current.idle() : ChatState.fresh(Language.fromTag(in.languageCode()));
        List<Effect> effects = new ArrayList<>();
        if (in instanceof Incoming.Tap t) {
            effects.add(new AnswerTap(t.queryId(), null));
        }
        effects.add(new Send(Texts.get(state.language(), key), Keyboard.NONE));
        effects.add(menu(state.language(), null));
        return new Outcome(state, effects);
    }

    // ---- commands

    private Outcome command(ChatState s, Incoming.Command c) {
        return switch (c.name()) {
            case "start", "menu", "models" -> new Outcome(s.idle(), List.of(
                    new Send(say(s, "welcome", balanceLine(s.language(), c.userId())), Keyboard.NONE),
                    menu(s.language(), null)));
            case "help" -> new Outcome(s, List.of(new Send(say(s, "help"), Keyboard.NONE)));
            case "balance" -> new Outcome(s, List.of(new Send(balanceLine(s.language(), c.userId())
                    + movements(s.language(), c.userId()), Keyboard.NONE)));
            case "cancel" -> new Outcome(s.idle(), List.of(new Send(say(s, "cancelled"), Keyboard.NONE),
                    menu(s.language(), null)));
            case "generate" -> generate(s, c);
            case "history" -> history(s, c.userId());
            case "topup" -> topUp(s);
            case "invite" -> invite(s, c.userId());
            case "language" -> new Outcome(s, List.of(new Send(say(s, "language.pick"), new Keyboard(List.of(List.of(
                    new Button("Русский", "l:ru"), new Button("English", "l:en")))))));
            default -> new Outcome(s, List.of(new Send(say(s, "unknown.command"), Keyboard.NONE)));
        };
    }

    /**
     * {@code /generate <model> <prompt>}: the wizard of that model with the prompt already given, so the user still
     * chooses the settings and confirms the price (nothing is charged on a command alone).
     */
    private Outcome generate(ChatState s, Incoming.Command c) {
        String[] parts = c.args().strip().split("\\s+", 2);
        if (parts[0].isEmpty()) {
            return new Outcome(s, List.of(new Send(say(s, "generate.usage"), Keyboard.NONE)));
        }
        Optional<BotModel> found = parts[0].length() > 200 ? Optional.empty() : model(parts[0]);
        if (found.isEmpty()) {
            return new Outcome(s, List.of(new Send(say(s, "generate.unknown"), Keyboard.NONE),
                    menu(s.language(), null)));
        }
        BotModel m = found.get();
        Map<String, Object> input = new LinkedHashMap<>();
        List<String> queue = new ArrayList<>(m.asked().stream().map(Field::name).toList());
        Field prompt = m.asked().stream().filter(f -> f.kind() == Kind.PROMPT).findFirst().orElse(null);
        if (prompt != null && parts.length > 1 && !parts[1].isBlank()) {
            String text = parts[1].strip();
            if (prompt.maxLength() != null && text.codePointCount(0, text.length()) > prompt.maxLength()) {
                return new Outcome(s, List.of(new Send(say(s, "invalid.long", Integer.toString(prompt.maxLength())),
                        Keyboard.NONE)));
            }
            input.put(prompt.name(), text);
            queue.remove(prompt.name());
        }
        return proceed(s.asking(m.id(), input, queue, Step.ASKING), c.userId(), null);
    }

    // ---- invitations

    private Outcome invite(ChatState s, long userId) {
        String code = "ref_" + Long.toString(userId, 36);
        String link = referral.botUsername().isBlank() ? "<code>/start " + code + "</code>"
                : "https://t.me/" + html(referral.botUsername()) + "?start=" + code;
        String text = say(s, "invite", link) + (referral.bonusMinor() > 0 ? "\n" + say(s, "invite.bonus",
                money(s.language(), referral.bonusMinor(), referral.currency())) : "");
        return new Outcome(s, List.of(new Send(text, Keyboard.NONE)));
    }

    // ---- top-ups

    /** The packages: Stars (and another number of them), and card payments where the operator takes them. */
    private Outcome topUp(ChatState s) {
        Language l = s.language();
        if (!topUps.stars() && topUps.cardPackages().isEmpty()) {
            return new Outcome(s, List.of(new Send(say(s, "topup.unavailable"), Keyboard.NONE)));
        }
        List<List<Button>> rows = new ArrayList<>();
        List<Button> row = new ArrayList<>();
        for (long stars : topUps.starPackages()) {
            row.add(new Button(Texts.get(l, "button.stars", Long.toString(stars),
                    money(l, stars * topUps.minorPerStar(), topUps.currency())), "ts:" + stars));
            if (row.size() == 2) {
                rows.add(row);
                row = new ArrayList<>();
            }
        }
        rows.add(row);
        if (topUps.stars()) {
            rows.add(List.of(new Button(Texts.get(l, "button.stars-other"), "ts:other")));
        }
        List<Button> cards = new ArrayList<>();
        for (long minor : topUps.cardPackages()) {
            cards.add(new Button(Texts.get(l, "button.card", money(l, minor, topUps.currency())), "tc:" + minor));
        }
        rows.add(cards);
        return new Outcome(s, List.of(new Send(Texts.get(l, "topup.title", money(l, topUps.minorPerStar(),
                topUps.currency())), new Keyboard(rows))));
    }

    private Effect starsInvoice(ChatState s, long userId, long chatId, long stars) {
        Language l = s.language();
        String credit = money(l, stars * topUps.minorPerStar(), topUps.currency());
        return new Effect.Invoice(userId, chatId, "XTR", stars, stars * topUps.minorPerStar(), topUps.currency(),
                Texts.get(l, "invoice.title", credit), Texts.get(l, "invoice.description", credit),
                Texts.get(l, "invoice.label"));
    }

    private Effect cardInvoice(ChatState s, long userId, long chatId, long minor) {
        Language l = s.language();
        String credit = money(l, minor, topUps.currency());
        return new Effect.Invoice(userId, chatId, topUps.currency(), minor, minor, topUps.currency(),
                Texts.get(l, "invoice.title", credit), Texts.get(l, "invoice.description", credit),
                Texts.get(l, "invoice.label"));
    }

    private static Long parseLong(String s) {
        try {
            return s == null || s.length() > 12 ? null : Long.parseLong(s);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    // ---- history

    static final int HISTORY = 10;

    /** The last jobs with their status; each with a result can be sent again, each can be repeated. */
    private Outcome history(ChatState s, long userId) {
        Language l = s.language();
        List<Backend.PastJob> jobs;
        try {
            jobs = backend.history(userId, HISTORY);
        } catch (RuntimeException e) {
            return new Outcome(s, List.of(new Send(say(s, "unavailable"), Keyboard.NONE)));
        }
        if (jobs.isEmpty()) {
            return new Outcome(s, List.of(new Send(say(s, "history.empty"), Keyboard.NONE)));
        }
        StringBuilder text = new StringBuilder(Texts.get(l, "history.title"));
        List<List<Button>> rows = new ArrayList<>();
        List<Button> row = new ArrayList<>();
        for (int i = 0; i < jobs.size(); i++) {
            Backend.PastJob j = jobs.get(i);
            String n = Integer.toString(i + 1);
            String title = model(j.model()).map(m -> m.title(l)).orElse(j.model());
            boolean charged = !j.status().equals("FAILED") && !j.status().equals("REJECTED");
            String price = !charged ? "" : ", " + (j.priceMinor() == 0 ? Texts.get(l, "price.free")
                    : money(l, j.priceMinor(), j.currency()));
            text.append('\n').append(Texts.get(l, "history.line", n, html(title), statusOf(l, j.status()), price));
            if (j.prompt() != null && !j.prompt().isBlank()) {
                text.append("\n   <i>").append(html(excerpt(j.prompt()))).append("</i>");
            }
            if (!j.resultUrls().isEmpty()) {
                row.add(new Button(Texts.get(l, "button.resend", n), "rs:" + j.jobId()));
            }
            row.add(new Button(Texts.get(l, "button.repeat", n), "rp:" + j.jobId()));
            if (row.size() >= 4) {
                rows.add(row);
                row = new ArrayList<>();
            }
        }
        rows.add(row);
        return new Outcome(s, List.of(new Send(text.toString(), new Keyboard(rows))));
    }

    private static String statusOf(Language l, String status) {
        return switch (status) {
            case "DELIVERED", "SUCCEEDED" -> Texts.get(l, "status.done");
            case "FAILED", "REJECTED" -> Texts.get(l, "status.failed");
            default -> Texts.get(l, "status.running");
        };
    }

    private Optional<Backend.PastJob> pastJob(long userId, String jobId) {
        // the user's own history is the only place a job is looked up: another user's id finds nothing
        return backend.history(userId, HISTORY).stream().filter(j -> j.jobId().equals(jobId)).findFirst();
    }

    /** "Repeat": the model's wizard again with the same options (a photo is asked for again: its address expires). */
    private Outcome repeat(ChatState s, Incoming.Tap t, String jobId) {
        Optional<Backend.PastJob> past = pastJob(t.userId(), jobId);
        Optional<BotModel> found = past.flatMap(j -> model(j.model()));
        if (found.isEmpty()) {
            return stale(s, t);
        }
        BotModel m = found.get();
        Map<String, Object> input = new LinkedHashMap<>();
        for (Field f : m.fields()) {
            Object v = past.get().input().get(f.name());
            if (v != null && f.kind() != Kind.IMAGE && f.kind() != Kind.IMAGES) {
                input.put(f.name(), v);
            }
        }
        List<String> queue = m.asked().stream().map(Field::name).filter(f -> !input.containsKey(f)).toList();
        Outcome next = proceed(s.asking(m.id(), input, queue, Step.ASKING), t.userId(), null);
        List<Effect> effects = new ArrayList<>();
        effects.add(new AnswerTap(t.queryId(), null));
        effects.addAll(next.effects());
        return new Outcome(next.state(), effects);
    }

    /** "Send again": the result's links (the media were sent when the job finished; links last about a day). */
    private Outcome resend(ChatState s, Incoming.Tap t, String jobId) {
        Optional<Backend.PastJob> past = pastJob(t.userId(), jobId);
        if (past.isEmpty() || past.get().resultUrls().isEmpty()) {
            return stale(s, t);
        }
        Language l = s.language();
        String title = model(past.get().model()).map(m -> m.title(l)).orElse(past.get().model());
        StringBuilder text = new StringBuilder("📤 <b>").append(html(title)).append("</b>");
        int n = 1;
        for (String url : past.get().resultUrls()) {
            text.append('\n').append("<a href=\"").append(html(url).replace("\"", "&quot;")).append("\">")
                    .append(Texts.get(l, "history.result", Integer.toString(n++))).append("</a>");
        }
        return new Outcome(s, List.of(new AnswerTap(t.queryId(), null), new Send(text.toString(), Keyboard.NONE)));
    }

    // ---- typed answers

    private Outcome text(ChatState s, Incoming.Text t) {
        if (s.step() == Step.TOPUP_AMOUNT) {
            Long stars = parseLong(t.text().strip());
            if (stars == null || stars < 1 || stars > topUps.maxStars()) {
                return new Outcome(s, List.of(new Send(say(s, "topup.ask", Long.toString(topUps.maxStars())),
                        Keyboard.NONE)));
            }
            return new Outcome(s.idle(), List.of(starsInvoice(s, t.userId(), t.chatId(), stars)));
        }
        Field field = askedField(s);
        if (field == null || s.step() != Step.ASKING) {
            return new Outcome(s, List.of(new Send(say(s, "unknown.text"), Keyboard.NONE), menu(s.language(), null)));
        }
        String text = t.text().strip();
        return switch (field.kind()) {
            case PROMPT, TEXT -> {
                if (field.maxLength() != null && text.codePointCount(0, text.length()) > field.maxLength()) {
                    yield again(s, say(s, "invalid.long", Integer.toString(field.maxLength())));
                }
                yield text.isEmpty() ? again(s, question(s, field)) : answered(s, field, text, t.userId(), null);
            }
            case NUMBER -> {
                Optional<BigDecimal> number = number(text, field);
                if (number.isEmpty()) {
                    yield again(s, say(s, "invalid.number", range(s.language(), field)));
                }
                BigDecimal n = number.get();
                boolean whole = n.signum() == 0 || n.stripTrailingZeros().scale() <= 0;
                boolean fits = n.abs().compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) <= 0;
                if (!fits) {
                    yield again(s, say(s, "invalid.number", range(s.language(), field)));
                }
                yield answered(s, field, whole ? (Object) n.longValue() : n, t.userId(), null);
            }
            case IMAGE, IMAGES -> again(s, say(s, "invalid.photo"));
            case CHOICE, SWITCH -> again(s, say(s, "invalid.choice"));
        };
    }

    private Outcome photo(ChatState s, Incoming.Photo p) {
        Field field = askedField(s);
        if (field == null || s.step() != Step.ASKING || (field.kind() != Kind.IMAGE && field.kind() != Kind.IMAGES)) {
            if (field != null && s.step() == Step.ASKING) {
                return again(s, question(s, field));
            }
            return new Outcome(s, List.of(new Send(say(s, "unknown.photo"), Keyboard.NONE),
                    menu(s.language(), null)));
        }
        Object value = field.kind() == Kind.IMAGES ? List.of(p.url()) : p.url();
        return answered(s, field, value, p.userId(), null);
    }

    // ---- taps

    private Outcome tap(ChatState s, Incoming.Tap t) {
        String data = t.data() == null ? "" : t.data();
        int colon = data.indexOf(':');
        String verb = colon < 0 ? data : data.substring(0, colon);
        String arg = colon < 0 ? "" : data.substring(colon + 1);
        Language l = s.language();
        return switch (verb) {
            case "menu" -> tapped(s, t, null, new Edit(t.messageId(), say(s, "menu.title"), menuKeyboard(l)));
            case "s" -> section(s, t, arg);
            case "m" -> card(s, t, arg);
            case "g" -> start(s, t, arg);
            case "c" -> choice(s, t, arg);
            case "k" -> keep(s, t, arg);
            case "d" -> settingsChoice(s, t, arg, false);
            case "t" -> settingsChoice(s, t, arg, true);
            case "ok" -> confirm(s, t, arg);
            case "rp" -> repeat(s, t, arg);
            case "ts" -> {
                if ("other".equals(arg) && topUps.stars()) {
                    yield new Outcome(s.at(Step.TOPUP_AMOUNT), List.of(new AnswerTap(t.queryId(), null),
                            new Send(say(s, "topup.ask", Long.toString(topUps.maxStars())), Keyboard.NONE)));
                }
                Long stars = parseLong(arg);
                yield stars != null && topUps.starPackages().contains(stars)
                        ? new Outcome(s, List.of(new AnswerTap(t.queryId(), null), starsInvoice(s, t.userId(),
                        t.chatId(), stars))) : stale(s, t);
            }
            case "tc" -> {
                Long minor = parseLong(arg);
                yield minor != null && topUps.cardPackages().contains(minor)
                        ? new Outcome(s, List.of(new AnswerTap(t.queryId(), null), cardInvoice(s, t.userId(),
                        t.chatId(), minor))) : stale(s, t);
            }
            case "rq" -> {
                // "try again" after the price could not be had: the same choices, quoted again
                boolean waiting = s.modelId() != null && s.modelId().equals(arg) && s.queue().isEmpty()
                        && (s.step() == Step.ASKING || s.step() == Step.SETTINGS);
                yield waiting ? proceed(s, t.userId(), t) : stale(s, t);
            }
            case "rs" -> resend(s, t, arg);
            case "x" -> {
                ChatState idle = s.idle();
                yield new Outcome(idle, List.of(new AnswerTap(t.queryId(), null),
                        new Edit(t.messageId(), say(s, "cancelled"), Keyboard.NONE), menu(l, null)));
            }
            case "l" -> {
                Language chosen = "ru".equals(arg) ? Language.RU : Language.EN;
                ChatState next = s.withLanguage(chosen);
                yield new Outcome(next, List.of(new AnswerTap(t.queryId(), null),
                        new Edit(t.messageId(), Texts.get(chosen, "language.set"), Keyboard.NONE),
                        menu(chosen, null)));
            }
            default -> stale(s, t);
        };
    }

    private Outcome section(ChatState s, Incoming.Tap t, String arg) {
        String[] parts = arg.split(":");
        Section section;
        int page;
        try {
            section = Section.valueOf(parts[0]);
            page = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
        } catch (IllegalArgumentException e) {
            return stale(s, t);
        }
        Language l = s.language();
        List<BotModel> models = backend.models().stream().filter(section::holds).toList();
        String name = Texts.get(l, "section." + section.name());
        if (models.isEmpty()) {
            return tapped(s, t, null, new Edit(t.messageId(), Texts.get(l, "list.empty", name),
                    new Keyboard(List.of(List.of(new Button(Texts.get(l, "button.back"), "menu"))))));
        }
        int pages = (models.size() + PAGE - 1) / PAGE;
        page = Math.max(0, Math.min(page, pages - 1));
        List<List<Button>> rows = new ArrayList<>();
        for (BotModel m : models.subList(page * PAGE, Math.min(models.size(), (page + 1) * PAGE))) {
            rows.add(List.of(new Button(m.title(l) + " · " + priceFrom(l, m), "m:" + m.id())));
        }
        List<Button> nav = new ArrayList<>();
        if (page > 0) {
            nav.add(new Button(Texts.get(l, "button.prev"), "s:" + section.name() + ":" + (page - 1)));
        }
        nav.add(new Button(Texts.get(l, "button.back"), "menu"));
        if (page < pages - 1) {
            nav.add(new Button(Texts.get(l, "button.next"), "s:" + section.name() + ":" + (page + 1)));
        }
        rows.add(nav);
        String title = Texts.get(l, "list.title", name, Integer.toString(page + 1), Integer.toString(pages));
        if (section == Section.FREE && freeDailyPerUser > 0) {
            title += "\n" + Texts.get(l, "free.limit", Integer.toString(freeDailyPerUser));
        }
        return tapped(s, t, null, new Edit(t.messageId(), title, new Keyboard(rows)));
    }

    private Outcome card(ChatState s, Incoming.Tap t, String modelId) {
        Optional<BotModel> found = model(modelId);
        if (found.isEmpty()) {
            return stale(s, t);
        }
        BotModel m = found.get();
        Language l = s.language();
        String text = Texts.get(l, "card", html(m.title(l)), html(m.description(l)), priceFrom(l, m), wait(l, m));
        Section back = java.util.Arrays.stream(Section.values()).filter(x -> x != Section.FREE && x.holds(m))
                .findFirst().orElse(Section.FREE);
        return tapped(s, t, null, new Edit(t.messageId(), text, new Keyboard(List.of(
                List.of(new Button(Texts.get(l, "button.generate"), "g:" + m.id())),
                List.of(new Button(Texts.get(l, "button.back"), "s:" + back.name() + ":0"))))));
    }

    /** "Make it": the wizard starts over for this model, whatever was under way. */
    private Outcome start(ChatState s, Incoming.Tap t, String modelId) {
        Optional<BotModel> found = model(modelId);
        if (found.isEmpty()) {
            return stale(s, t);
        }
        BotModel m = found.get();
        List<String> queue = m.asked().stream().map(Field::name).toList();
        ChatState next = s.asking(m.id(), Map.of(), queue, Step.ASKING);
        return proceed(next, t.userId(), t);
    }

    private Outcome choice(ChatState s, Incoming.Tap t, String arg) {
        int colon = arg.lastIndexOf(':');
        Field field = askedField(s);
        if (colon < 0 || field == null || !field.name().equals(arg.substring(0, colon))
                || (s.step() != Step.ASKING && s.step() != Step.SETTINGS)) {
            return stale(s, t);
        }
        int index;
        try {
            index = Integer.parseInt(arg.substring(colon + 1));
        } catch (NumberFormatException e) {
            return stale(s, t);
        }
        if (index < 0 || index >= field.choices().size()) {
            return stale(s, t);
        }
        return answered(s, field, field.choices().get(index), t.userId(), t);
    }

    /** A setting kept at its default. */
    private Outcome keep(ChatState s, Incoming.Tap t, String fieldName) {
        Field field = askedField(s);
        if (s.step() != Step.SETTINGS || field == null || !field.name().equals(fieldName)) {
            return stale(s, t);
        }
        ChatState next = s.with(Step.SETTINGS, s.input(), s.queue().subList(1, s.queue().size()));
        return proceed(next, t.userId(), t);
    }

    private Outcome settingsChoice(ChatState s, Incoming.Tap t, String modelId, boolean change) {
        if (s.step() != Step.CHOOSING_SETTINGS || !modelId.equals(s.modelId())) {
            return stale(s, t);
        }
        BotModel m = model(s.modelId()).orElse(null);
        if (m == null) {
            return stale(s, t);
        }
        List<String> queue = change ? m.settings().stream().map(Field::name).toList() : List.of();
        return proceed(s.with(Step.SETTINGS, s.input(), queue), t.userId(), t);
    }

    private Outcome confirm(ChatState s, Incoming.Tap t, String quoteId) {
        if (s.step() != Step.CONFIRMING || !quoteId.equals(s.quoteId())) {
            return stale(s, t);
        }
        BotModel m = model(s.modelId()).orElse(null);
        String title = m == null ? s.modelId() : m.title(s.language());
        Effect generate = new Effect.Generate(t.userId(), t.chatId(), s.modelId(), s.input(), s.quoteId(),
                "telegram:" + t.chatId() + ":" + s.quoteId(), t.messageId());
        return new Outcome(s.idle(), List.of(new AnswerTap(t.queryId(), null),
                new Edit(t.messageId(), say(s, "started", html(title)), Keyboard.NONE), generate));
    }

    // ---- the wizard

    /** A field answered: stored, and on to the next question, the settings, or the confirmation. */
    private Outcome answered(ChatState s, Field field, Object value, long userId, Incoming.Tap tap) {
        Map<String, Object> input = new LinkedHashMap<>(s.input());
        input.put(field.name(), value);
        ChatState next = s.with(s.step(), input, s.queue().subList(1, s.queue().size()));
        return proceed(next, userId, tap);
    }

    /**
     * Asks what comes next. Taps rewrite their own message in place; typed answers get a new message (the user's
     * own cannot be edited).
     */
    private Outcome proceed(ChatState s, long userId, Incoming.Tap tap) {
        BotModel m = model(s.modelId()).orElse(null);
        if (m == null) {
            // the model left the catalog while the user was choosing
            ChatState idle = s.idle();
            return reply(idle, tap, say(s, "unavailable"), menuKeyboard(s.language()));
        }
        Language l = s.language();
        // a field the catalog no longer has (it changed while the user was choosing) is not asked
        List<String> known = s.queue().stream().filter(f -> m.fields().stream().anyMatch(x -> x.name().equals(f)))
                .toList();
        if (known.size() != s.queue().size()) {
            s = s.with(s.step(), s.input(), known);
        }
        if (!s.queue().isEmpty()) {
            Field field = m.field(s.asking());
            return reply(s, tap, question(s, field), questionKeyboard(s, field));
        }
        if (s.step() == Step.ASKING && !m.settings().isEmpty()) {
            ChatState choosing = s.with(Step.CHOOSING_SETTINGS, s.input(), List.of());
            return reply(choosing, tap, say(s, "settings.ask"), new Keyboard(List.of(
                    List.of(new Button(Texts.get(l, "button.defaults"), "d:" + m.id()),
                            new Button(Texts.get(l, "button.settings"), "t:" + m.id())),
                    List.of(new Button(Texts.get(l, "button.cancel"), "x")))));
        }
        return quote(s, m, userId, tap);
    }

    private Outcome quote(ChatState s, BotModel m, long userId, Incoming.Tap tap) {
        Language l = s.language();
        Backend.Quote quote = backend.quote(userId, m.id(), s.input(), l);
        return switch (quote) {
            case Backend.Quote.Refused r -> reply(s.idle(), tap, html(r.message()), menuKeyboard(l));
            // the wizard is kept: the user asks again for the price of what they chose
            case Backend.Quote.Unavailable u -> reply(s, tap, say(s, "unavailable"), new Keyboard(List.of(
                    List.of(new Button(Texts.get(l, "button.retry"), "rq:" + m.id()),
                            new Button(Texts.get(l, "button.cancel"), "x")))));
            case Backend.Quote.Priced p -> {
                String price = money(l, p.priceMinor(), p.currency());
                String options = options(s, m);
                Backend.Account account = account(userId);
                ChatState confirming = s.confirming(p.quoteId(), p.priceMinor(), p.currency());
                if (account != null && account.availableMinor() < p.priceMinor()) {
                    yield reply(confirming.idle(), tap, Texts.get(l, "confirm.short", html(m.title(l)), options,
                            price, money(l, account.availableMinor(), account.currency())), new Keyboard(List.of(
                            List.of(new Button(Texts.get(l, "button.menu"), "menu")))));
                }
                String after = account == null ? "—"
                        : money(l, account.availableMinor() - p.priceMinor(), account.currency());
                yield reply(confirming, tap, Texts.get(l, "confirm", html(m.title(l)), options, price, after),
                        new Keyboard(List.of(
                                List.of(new Button(Texts.get(l, "button.confirm", price), "ok:" + p.quoteId())),
                                List.of(new Button(Texts.get(l, "button.cancel"), "x")))));
            }
        };
    }

    private String question(ChatState s, Field field) {
        Language l = s.language();
        String label = html(field.label(l));
        return field.kind() == Kind.NUMBER ? Texts.get(l, "ask.NUMBER", label, range(l, field))
                : Texts.get(l, "ask." + field.kind().name(), label);
    }

    private Keyboard questionKeyboard(ChatState s, Field field) {
        Language l = s.language();
        List<List<Button>> rows = new ArrayList<>();
        List<Button> row = new ArrayList<>();
        for (int i = 0; i < field.choices().size(); i++) {
            row.add(new Button(shown(l, field.choices().get(i)), "c:" + field.name() + ":" + i));
            if (row.size() == 3) {
                rows.add(row);
                row = new ArrayList<>();
            }
        }
        rows.add(row);
        if (s.step() == Step.SETTINGS && field.defaultValue() != null) {
            rows.add(List.of(new Button(Texts.get(l, "button.keep", shown(l, field.defaultValue())),
                    "k:" + field.name())));
        }
        rows.add(List.of(new Button(Texts.get(l, "button.cancel"), "x")));
        return new Keyboard(rows);
    }

    private String options(ChatState s, BotModel m) {
        Language l = s.language();
        List<String> lines = new ArrayList<>();
        for (Field f : m.fields()) {
            Object value = s.input().containsKey(f.name()) ? s.input().get(f.name()) : f.defaultValue();
            if (value == null) {
                continue;
            }
            String shown = switch (f.kind()) {
                case IMAGE -> "📷";
                case IMAGES -> "📷 × " + ((List<?>) value).size();
                case PROMPT, TEXT -> excerpt(String.valueOf(value));
                case CHOICE, SWITCH, NUMBER -> shown(l, value);
            };
            lines.add(Texts.get(l, "confirm.option", html(f.label(l)), html(shown)));
        }
        return String.join("\n", lines);
    }

    // ---- helpers

    private Outcome again(ChatState s, String text) {
        return new Outcome(s, List.of(new Send(text, Keyboard.NONE)));
    }

    /** On a tap: the callback answered, and its message rewritten; otherwise a new message. */
    private Outcome reply(ChatState next, Incoming.Tap tap, String text, Keyboard keyboard) {
        if (tap == null) {
            return new Outcome(next, List.of(new Send(text, keyboard)));
        }
        return new Outcome(next, List.of(new AnswerTap(tap.queryId(), null), new Edit(tap.messageId(), text,
                keyboard)));
    }

    private Outcome tapped(ChatState s, Incoming.Tap t, String notice, Edit edit) {
        return new Outcome(s, List.of(new AnswerTap(t.queryId(), notice), edit));
    }

    /** A button of a step that is over: said so, nothing done; the current question is asked again when there is one. */
    private Outcome stale(ChatState s, Incoming.Tap t) {
        List<Effect> effects = new ArrayList<>();
        effects.add(new AnswerTap(t.queryId(), say(s, "stale")));
        Field field = askedField(s);
        if (field != null && (s.step() == Step.ASKING || s.step() == Step.SETTINGS)) {
            effects.add(new Send(question(s, field), questionKeyboard(s, field)));
        }
        return new Outcome(s, effects);
    }

    /** True when the chat waits for a photo now: only then is a photo the user sends downloaded and re-hosted. */
    public boolean wantsPhoto(ChatState s) {
        if (s == null || s.step() != Step.ASKING) {
            return false;
        }
        try {
            Field field = askedField(s);
            return field != null && (field.kind() == Kind.IMAGE || field.kind() == Kind.IMAGES);
        } catch (Backend.Unavailable e) {
            return false;
        }
    }

    private Field askedField(ChatState s) {
        if (s.asking() == null || s.modelId() == null) {
            return null;
        }
        return model(s.modelId()).map(m -> m.fields().stream().filter(f -> f.name().equals(s.asking()))
                .findFirst().orElse(null)).orElse(null);
    }

    private Optional<BotModel> model(String id) {
        return id == null ? Optional.empty() : backend.models().stream().filter(m -> m.id().equals(id)).findFirst();
    }

    private Send menu(Language l, String notice) {
        return new Send(notice != null ? notice : Texts.get(l, "menu.title"), menuKeyboard(l));
    }

    private static Keyboard menuKeyboard(Language l) {
        return new Keyboard(List.of(
                List.of(new Button(Texts.get(l, "section.IMAGES"), "s:IMAGES:0"),
                        new Button(Texts.get(l, "section.EDIT"), "s:EDIT:0")),
                List.of(new Button(Texts.get(l, "section.VIDEO"), "s:VIDEO:0"),
                        new Button(Texts.get(l, "section.AUDIO"), "s:AUDIO:0")),
                List.of(new Button(Texts.get(l, "section.FREE"), "s:FREE:0"))));
    }

    private String balanceLine(Language l, long userId) {
        Backend.Account a = account(userId);
        if (a == null) {
            return Texts.get(l, "balance.unavailable");
        }
        return a.heldMinor() > 0 ? Texts.get(l, "balance.held", money(l, a.availableMinor(), a.currency()),
                money(l, a.heldMinor(), a.currency())) : Texts.get(l, "balance.line",
                money(l, a.availableMinor(), a.currency()));
    }

    /** The last movements, under the balance: top-ups, money held for jobs, charges, returns, debits. */
    private String movements(Language l, long userId) {
        List<Backend.Movement> moves;
        try {
            moves = backend.movements(userId, 5);
        } catch (RuntimeException e) {
            return "";
        }
        if (moves.isEmpty()) {
            return "";
        }
        StringBuilder s = new StringBuilder("\n\n").append(Texts.get(l, "movements.title"));
        for (Backend.Movement m : moves) {
            String kind = switch (m.kind()) {
                case "DEPOSIT", "HOLD", "RELEASE", "CAPTURE", "DEBIT" -> m.kind();
                default -> "OTHER";
            };
            String date = m.at() != null && m.at().length() >= 16 ? m.at().substring(0, 10) : "";
            s.append('\n').append(Texts.get(l, "movement." + kind, money(l, m.amountMinor(), m.currency()), date));
        }
        return s.toString();
    }

    private Backend.Account account(long userId) {
        try {
            return backend.account(userId);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static String priceFrom(Language l, BotModel m) {
        return m.free() ? Texts.get(l, "price.free") : Texts.get(l, "price.from",
                money(l, m.priceFromMinor(), m.currency()));
    }

    private static String wait(Language l, BotModel m) {
        if (m.typicalSeconds() == null) {
            return Texts.get(l, "wait.unknown");
        }
        int seconds = m.typicalSeconds();
        return seconds < 120 ? Texts.get(l, "wait.seconds", Integer.toString(seconds))
                : Texts.get(l, "wait.minutes", Integer.toString((seconds + 59) / 60));
    }

    private static String money(Language l, long minor, String currency) {
        return Money.of(minor, currency).display();
    }

    private static String range(Language l, Field f) {
        return f.minimum() != null && f.maximum() != null ? Texts.get(l, "range", f.minimum().toPlainString(),
                f.maximum().toPlainString()) : "";
    }

    private static Optional<BigDecimal> number(String text, Field f) {
        if (text.length() > 40) {
            return Optional.empty();
        }
        try {
            BigDecimal n = new BigDecimal(text.replace(',', '.'));
            if (f.minimum() != null && n.compareTo(f.minimum()) < 0
                    || f.maximum() != null && n.compareTo(f.maximum()) > 0) {
                return Optional.empty();
            }
            return Optional.of(n);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static String shown(Language l, Object value) {
        if (value instanceof Boolean b) {
            return Texts.get(l, b ? "switch.yes" : "switch.no");
        }
        return String.valueOf(value);
    }

    private static String excerpt(String text) {
        return text.length() <= PROMPT_EXCERPT ? text : text.substring(0, PROMPT_EXCERPT) + "…";
    }

    private String say(ChatState s, String key, Object... args) {
        return Texts.get(s.language(), key, args);
    }

    /** Bot API HTML escaping: what a user wrote (or a catalog text) shows as written. */
    static String html(String text) {
        return text == null ? "" : text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
