package io.kiepipeline.bot.service;

import io.kiepipeline.bot.conversation.Incoming;
import io.kiepipeline.bot.conversation.Texts;
import io.kiepipeline.platform.outbox.OutboxWriter;
import io.kiepipeline.schemas.ChatCommand;
import io.kiepipeline.schemas.ChatId;
import io.kiepipeline.schemas.Ids;
import io.kiepipeline.schemas.Language;
import io.kiepipeline.schemas.LedgerCommand.DepositRequested;
import io.kiepipeline.schemas.Money;
import io.kiepipeline.schemas.UserId;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The welcome bonus and the referral bonus, as ledger deposits (entries, never an edited balance), each asked for at
 * most once: their references are {@code welcome-bonus:<user>} and {@code referral-bonus:<invited user>}, and the
 * ledger credits a reference once.
 * <ul>
 *   <li>welcome: when a person's first update is handled ({@code bot_user} gets its row);</li>
 *   <li>referral: a newcomer whose first update is {@code /start ref_<code>} (the code names another user) is
 *       recorded as invited; the inviter's bonus is asked for on the newcomer's first paid top-up, so that accounts
 *       made only to collect it earn nothing.</li>
 * </ul>
 */
@Component
public class Bonuses {
    private static final Logger log = LoggerFactory.getLogger(Bonuses.class);
    private static final String REF = "ref_";

    private final JdbcTemplate jdbc;
    private final OutboxWriter outbox;
    private final long welcomeMinor;
    private final long referralMinor;
    private final String currency;
    private final ChatStore chats;

    Bonuses(JdbcTemplate jdbc, OutboxWriter outbox, ChatStore chats, io.kiepipeline.bot.BotSettings settings,
            io.kiepipeline.platform.config.PlatformProperties platform) {
        long welcomeMinor = settings.bonus().welcomeMinor();
        long referralMinor = settings.bonus().referralMinor();
        String currency = platform.currency();
        if (welcomeMinor < 0 || referralMinor < 0) {
            throw new IllegalStateException("WELCOME_BONUS_MINOR and REFERRAL_BONUS_MINOR must not be negative");
        }
        this.jdbc = jdbc;
        this.outbox = outbox;
        this.chats = chats;
        this.welcomeMinor = welcomeMinor;
        this.referralMinor = referralMinor;
        this.currency = currency;
    }

    /** A user's invitation code, for {@code /start ref_<code>}. */
    public static String codeOf(long userId) {
        return Long.toString(userId, 36);
    }

    /**
     * In the update's transaction: the first update of a person makes their row, asks for the welcome bonus and
     * records who invited them. Returns what to tell them (null: nothing).
     */
    ChatCommand.SendChatMessage firstSeen(Incoming in, Language language, String correlation, String causation,
                                          Instant now) {
        if (in instanceof Incoming.PreCheckout || in.userId() <= 0) {
            return null;
        }
        Long inviter = inviterOf(in);
        int made = jdbc.update("""
                insert into bot_user (user_id, first_seen_at, referred_by, referral_status) values (?, ?, ?, ?)
                on conflict (user_id) do nothing""", in.userId(), Timestamp.from(now), inviter,
                inviter == null ? null : "PENDING");
        if (made == 0) {
            return null;
        }
        log.atInfo().addKeyValue("userId", in.userId()).addKeyValue("invitedBy", inviter).log("bot.user-new");
        if (welcomeMinor == 0) {
            return null;
        }
        String reference = "welcome-bonus:" + in.userId();
        outbox.append(new DepositRequested(Ids.depositIdForReference(reference), new UserId(in.userId()),
                welcomeMinor, currency, reference), correlation, causation);
        return new ChatCommand.SendChatMessage(Ids.nameUuid("welcome-bonus-told:" + in.userId()),
                new ChatId(in.chatId()), Texts.get(language, "bonus.welcome",
                Money.of(welcomeMinor, currency).display()), List.of(), now);
    }

    /**
     * In the receipt's transaction: the invited user's first paid top-up of at least the bonus earns the inviter their
     * bonus, once (a smaller one does not count: accounts made to pay a Star and collect more would be profitable).
     */
    ChatCommand.SendChatMessage paidBy(long userId, long creditMinor, String correlation, String causation,
                                       Instant now) {
        if (referralMinor == 0 || creditMinor < referralMinor) {
            return null;
        }
        List<Long> inviter = jdbc.queryForList("""
                update bot_user set referral_status = 'CREDITED'
                where user_id = ? and referred_by is not null and referral_status = 'PENDING'
                returning referred_by""", Long.class, userId);
        if (inviter.isEmpty()) {
            return null;
        }
        long to = inviter.getFirst();
        String reference = "referral-bonus:" + userId;
        outbox.append(new DepositRequested(Ids.depositIdForReference(reference), new UserId(to), referralMinor,
                currency, reference), correlation, causation);
        log.atInfo().addKeyValue("userId", to).addKeyValue("invited", userId).log("bot.referral-bonus");
        ChatStore.Loaded chat = chats.load(to);
        Language language = chat.state() != null ? chat.state().language() : Language.EN;
        return new ChatCommand.SendChatMessage(Ids.nameUuid("referral-bonus-told:" + userId), new ChatId(to),
                Texts.get(language, "bonus.referral", Money.of(referralMinor, currency).display()), List.of(), now);
    }

    public long referralMinor() {
        return referralMinor;
    }

    private static Long inviterOf(Incoming in) {
        if (!(in instanceof Incoming.Command c) || !c.name().equals("start") || !c.args().startsWith(REF)) {
            return null;
        }
        try {
            long inviter = Long.parseLong(c.args().substring(REF.length()), 36);
            return inviter > 0 && inviter != in.userId() ? inviter : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
