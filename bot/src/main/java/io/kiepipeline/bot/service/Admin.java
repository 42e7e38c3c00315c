package io.kiepipeline.bot.service;

import io.kiepipeline.bot.conversation.Backend;
import io.kiepipeline.bot.conversation.Incoming;
import io.kiepipeline.schemas.Money;
import java.math.BigDecimal;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;

/**
 * The admin panel in the chat, for the Telegram users in {@code ADMIN_USER_IDS} (to anyone else {@code /admin} is an
 * unknown command): the last 24 hours, a user's account, a credit with a reason (a ledger deposit), a ban. It decides
 * here, reading what it shows before any transaction; the update's transaction does what it decided.
 */
@Component
public class Admin {
    /** The most one credit may be, in minor units: a typo must not mint a fortune. */
    static final long MAX_CREDIT_MINOR = 100_000_000L;
    static final String USAGE = """
            <b>Admin</b>
            /admin: the last 24 h
            /admin user &lt;id&gt;: a user's balance, last jobs, ban
            /admin credit &lt;id&gt; &lt;amount&gt; &lt;reason&gt;: a ledger deposit, e.g. /admin credit 42 150.00 goodwill
            /admin debit &lt;id&gt; &lt;amount&gt; &lt;reason&gt;: taken off what is available (refused if it is lower)
            /admin refund &lt;telegram charge id&gt;: a Stars payment back, its credit taken off the balance first
            /admin model &lt;id&gt; on|off|free|paid: a model on sale or not, free or paid, from now on
            /admin ban &lt;id&gt; &lt;reason&gt;, /admin unban &lt;id&gt;
            /admin broadcast &lt;text&gt;: to every user, a slice a second""";
    /** The longest broadcast text (Telegram takes 4,096 characters; escaping takes some). */
    static final int BROADCAST_MAX = 3_500;

    /** What an admin's command comes to. */
    public sealed interface Action {
        /** Only an answer. */
        record Say(String html) implements Action {
        }

        record Credit(long userId, long amountMinor, String reason, String html) implements Action {
        }

        record Debit(long userId, long amountMinor, String reason, String html) implements Action {
        }

        /** A Stars payment back: its credit is taken off the balance first, then the Stars are refunded. */
        record Refund(String telegramChargeId) implements Action {
        }

        record Ban(long userId, String reason, String html) implements Action {
        }

        record Unban(long userId, String html) implements Action {
        }

        /** {@code text}: what every user gets, as HTML (the admin's words escaped). */
        record Broadcast(String text, String html) implements Action {
        }
    }

    private final Set<Long> admins;
    private final RestBackend backend;
    private final Bans bans;
    private final String currency;

    Admin(io.kiepipeline.bot.BotSettings settings, RestBackend backend, Bans bans,
          io.kiepipeline.platform.config.PlatformProperties platform) {
        String currency = platform.currency();
        this.admins = settings.admins();
        this.backend = backend;
        this.bans = bans;
        this.currency = currency;
    }

    public boolean isAdmin(long userId) {
        return admins.contains(userId);
    }

    /** Decides an admin's {@code /admin ...}; reads the figures and the account over HTTP (outside any transaction). */
    Action decide(Incoming.Command c) {
        String[] args = c.args().strip().split("\\s+", 4);
        String verb = args[0].toLowerCase(java.util.Locale.ROOT);
        try {
            return switch (verb) {
                case "" -> new Action.Say(stats());
                case "user" -> new Action.Say(user(id(args, 1)));
                case "credit" -> credit(args);
                case "debit" -> {
                    Action.Credit amount = (Action.Credit) credit(args);
                    yield new Action.Debit(amount.userId(), amount.amountMinor(), amount.reason(),
                            "💸 Debiting <b>" + Money.of(amount.amountMinor(), currency).display() + "</b> from user "
                                    + amount.userId() + ": " + html(amount.reason())
                                    + ". You will be told whether their balance allowed it.");
                }
                case "model" -> new Action.Say(model(args, c.userId()));
                case "refund" -> {
                    if (args.length < 2 || args[1].isBlank() || args[1].length() > 256) {
                        throw new IllegalArgumentException("the Telegram charge id is missing");
                    }
                    yield new Action.Refund(args[1]);
                }
                case "ban" -> {
                    long user = id(args, 1);
                    String reason = rest(args, 2);
                    yield new Action.Ban(user, reason, "🚫 User " + user + " is banned: " + html(reason));
                }
                case "unban" -> {
                    long user = id(args, 1);
                    yield new Action.Unban(user, "✅ User " + user + " is no longer banned.");
                }
                case "broadcast" -> {
                    String raw = c.args().strip().substring("broadcast".length()).strip();
                    if (raw.isEmpty() || raw.length() > BROADCAST_MAX) {
                        throw new IllegalArgumentException("the broadcast needs a text of 1 to " + BROADCAST_MAX
                                + " characters");
                    }
                    yield new Action.Broadcast(html(raw), "📣 Broadcast queued: it goes out to every user, a slice"
                            + " a second. You will be told when it is done.");
                }
                default -> new Action.Say(USAGE);
            };
        } catch (IllegalArgumentException e) {
            return new Action.Say("⚠️ " + html(e.getMessage()) + "\n\n" + USAGE);
        }
    }

    private Action credit(String[] args) {
        long user = id(args, 1);
        if (args.length < 3) {
            throw new IllegalArgumentException("the amount is missing");
        }
        BigDecimal amount;
        try {
            amount = new BigDecimal(args[2].replace(',', '.'));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("the amount is not a number: " + args[2]);
        }
        long minor;
        try {
            minor = amount.movePointRight(2).longValueExact();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("the amount has more than two decimals: " + args[2]);
        }
        if (minor <= 0 || minor > MAX_CREDIT_MINOR) {
            throw new IllegalArgumentException("the amount must be above 0 and at most "
                    + Money.of(MAX_CREDIT_MINOR, currency).display());
        }
        String reason = rest(args, 3);
        return new Action.Credit(user, minor, reason, "💰 Crediting <b>" + Money.of(minor, currency).display()
                + "</b> to user " + user + ": " + html(reason));
    }

    /** A model switched at the orchestrator (a remote write, idempotent: the same switch again changes nothing). */
    private String model(String[] args, long admin) {
        if (args.length < 3) {
            throw new IllegalArgumentException("say which model and on, off, free or paid");
        }
        String model = args[1];
        String how = args[2].toLowerCase(java.util.Locale.ROOT);
        Boolean enabled = switch (how) {
            case "on" -> true;
            case "off" -> false;
            default -> null;
        };
        Boolean free = switch (how) {
            case "free" -> true;
            case "paid" -> false;
            default -> null;
        };
        if (enabled == null && free == null) {
            throw new IllegalArgumentException("not on, off, free or paid: " + how);
        }
        try {
            JsonNode now = backend.switchModel(model, enabled, free, "telegram:" + admin);
            return "🔧 " + html(model) + ": " + (now.path("enabled").asBoolean() ? "on sale" : "off sale") + ", "
                    + (now.path("free").asBoolean() ? "free" : "paid") + ".";
        } catch (org.springframework.web.client.HttpClientErrorException.NotFound e) {
            throw new IllegalArgumentException("no model " + model);
        } catch (RuntimeException e) {
            return "⚠️ The orchestrator did not answer; the model is unchanged. Try again.";
        }
    }

    private String stats() {
        StringBuilder s = new StringBuilder("📊 <b>The last 24 h</b>\n");
        try {
            JsonNode st = backend.stats(24);
            s.append("Jobs: ");
            List<String> byStatus = new java.util.ArrayList<>();
            st.path("jobsByStatus").properties().forEach(e -> byStatus.add(e.getKey() + " " + e.getValue()
                    .asLong()));
            s.append(byStatus.isEmpty() ? "none" : String.join(", ", byStatus)).append('\n');
            s.append("Revenue (captured): <b>").append(Money.of(st.path("revenueMinor").asLong(),
                    st.path("currency").asString(currency)).display()).append("</b>\n");
            List<String> top = new java.util.ArrayList<>();
            st.path("topModels").forEach(m -> top.add(html(m.path("model").asString()) + " "
                    + m.path("jobs").asLong()));
            s.append("Top models: ").append(top.isEmpty() ? "none" : String.join(", ", top)).append('\n');
        } catch (RuntimeException e) {
            s.append("Figures unavailable: the orchestrator did not answer.\n");
        }
        try {
            JsonNode kie = backend.kieAccounts();
            for (JsonNode key : kie.path("keys")) {
                s.append("KIE key ").append(html(key.path("keyId").asString())).append(": ")
                        .append(key.path("available").asBoolean() ? "available" : "unavailable ("
                                + html(key.path("reason").asString("")) + ")")
                        .append(key.hasNonNull("credits") ? ", credits " + key.get("credits").asLong() : "")
                        .append(key.path("creditsLow").asBoolean(false) ? " ⚠️ low" : "").append('\n');
            }
        } catch (RuntimeException e) {
            s.append("KIE accounts unavailable.\n");
        }
        return s.append('\n').append(USAGE).toString();
    }

    private String user(long user) {
        StringBuilder s = new StringBuilder("👤 <b>User ").append(user).append("</b>\n");
        try {
            Backend.Account a = backend.account(user);
            s.append("Balance: ").append(Money.of(a.availableMinor(), a.currency()).display()).append(", held ")
                    .append(Money.of(a.heldMinor(), a.currency()).display()).append('\n');
        } catch (RuntimeException e) {
            s.append("Balance unavailable.\n");
        }
        s.append(bans.isBanned(user) ? "🚫 banned\n" : "");
        try {
            List<Backend.PastJob> jobs = backend.history(user, 5);
            s.append(jobs.isEmpty() ? "No jobs.\n" : "Last jobs:\n");
            for (Backend.PastJob j : jobs) {
                s.append("• ").append(html(j.model())).append(": ").append(j.status()).append(", ")
                        .append(Money.of(j.priceMinor(), j.currency()).display()).append('\n');
            }
        } catch (RuntimeException e) {
            s.append("Jobs unavailable.\n");
        }
        return s.toString();
    }

    private static long id(String[] args, int at) {
        if (args.length <= at) {
            throw new IllegalArgumentException("the user id is missing");
        }
        try {
            long id = Long.parseLong(args[at]);
            if (id <= 0) {
                throw new NumberFormatException();
            }
            return id;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a user id: " + args[at]);
        }
    }

    private static String rest(String[] args, int from) {
        String reason = args.length > from ? String.join(" ", Arrays.copyOfRange(args, from, args.length)).strip()
                : "";
        if (reason.length() < 3) {
            throw new IllegalArgumentException("say why (a reason of at least 3 characters)");
        }
        return reason.length() > 150 ? reason.substring(0, 150) : reason;
    }

    static String html(String text) {
        return text == null ? "" : text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
