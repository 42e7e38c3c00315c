package io.kiepipeline.bot.service;

import io.kiepipeline.bot.conversation.Backend;
import io.kiepipeline.bot.conversation.Conversation;
import io.kiepipeline.bot.conversation.Effect;
import io.kiepipeline.bot.conversation.Incoming;
import io.kiepipeline.bot.conversation.Updates;
import io.kiepipeline.platform.inbox.Inbox;
import io.kiepipeline.platform.messaging.Envelope;
import io.kiepipeline.platform.outbox.OutboxWriter;
import io.kiepipeline.schemas.ChatCommand;
import io.kiepipeline.schemas.ChatId;
import io.kiepipeline.schemas.EventId;
import io.kiepipeline.schemas.GatewayEvent.GenerationRequested;
import io.kiepipeline.schemas.Ids;
import io.kiepipeline.schemas.JobId;
import io.kiepipeline.schemas.Limits;
import io.kiepipeline.schemas.MessageCodec;
import io.kiepipeline.schemas.RequestSource;
import io.kiepipeline.schemas.TelegramUpdate.TelegramUpdateReceived;
import io.kiepipeline.schemas.UserId;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;

/**
 * Handles one Telegram update: reads it, asks the {@link Conversation} (which may call the orchestrator and the ledger,
 * before any transaction), then in one transaction records the update in the inbox, saves the chat's new state and
 * appends the effects to the outbox: the chat commands the delivery-worker sends, and the job a confirmation starts.
 * An update is handled once however often it comes (the inbox is keyed by Telegram's {@code update_id}, not by the
 * envelope: two gateways may publish the same update); a chat moved on by another handler meanwhile (a rebalance) makes
 * this one start again from the new state.
 */
@Component
public class UpdateHandler {
    static final String CONSUMER = "bot-updates";
    private static final Logger log = LoggerFactory.getLogger(UpdateHandler.class);
    private static final int ATTEMPTS = 5;
    /** A photo about to expire is not confirmed: KIE fetches it within minutes of the confirmation. */
    static final java.time.Duration PHOTO_MARGIN = java.time.Duration.ofMinutes(10);

    private final Conversation conversation;
    private final ChatStore chats;
    private final Inbox inbox;
    private final OutboxWriter outbox;
    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final Clock clock;
    private final TelegramFiles files;
    private final MediaStore media;
    private final String publicBaseUrl;
    private final String currency;
    private final Payments payments;
    private final Bonuses bonuses;
    private final Admin admin;
    private final Bans bans;

    UpdateHandler(Conversation conversation, ChatStore chats, Inbox inbox, OutboxWriter outbox, JdbcTemplate jdbc,
                  PlatformTransactionManager txManager, Clock clock, TelegramFiles files, MediaStore media,
                  @org.springframework.beans.factory.annotation.Value("${pipeline.bot.public-base-url}")
                  String publicBaseUrl, Payments payments, Bonuses bonuses, Admin admin, Bans bans,
                  @org.springframework.beans.factory.annotation.Value("${pipeline.currency}") String currency) {
        this.currency = currency;
        this.admin = admin;
        this.bans = bans;
        this.payments = payments;
        this.bonuses = bonuses;
        this.conversation = conversation;
        this.chats = chats;
        this.inbox = inbox;
        this.outbox = outbox;
        this.jdbc = jdbc;
        this.tx = new TransactionTemplate(txManager);
        this.clock = clock;
        this.files = files;
        this.media = media;
        this.publicBaseUrl = publicBaseUrl == null ? "" : publicBaseUrl.replaceAll("/+$", "");
    }

    /** What came of re-hosting a photo the chat waits for. */
    private sealed interface Rehosting {
        /** Downloaded, with its token: stored in the update's transaction. */
        record Ready(String token, TelegramFiles.Downloaded file) implements Rehosting {
        }

        /** Not usable: the user is told why (a text key), and the wizard still waits for a photo. */
        record Refused(String textKey) implements Rehosting {
        }
    }

    /** The inbox key of an update: its {@code update_id}, whichever gateway published it. */
    static EventId updateKey(long updateId) {
        return new EventId(Ids.nameUuid("telegram-update:" + updateId));
    }

    public void handle(Envelope envelope) {
        TelegramUpdateReceived update = (TelegramUpdateReceived) envelope.message();
        EventId key = updateKey(update.updateId());
        if (handled(key)) {
            log.atDebug().addKeyValue("updateId", update.updateId()).log("bot.update-duplicate");
            return;
        }
        JsonNode json;
        try {
            json = MessageCodec.mapper().readTree(update.update());
        } catch (RuntimeException e) {
            json = null;
        }
        Updates.Read read = Updates.read(json);
        if (read instanceof Updates.Read.Ignore i) {
            log.atInfo().addKeyValue("updateId", update.updateId()).addKeyValue("why", i.why())
                    .log("bot.update-ignored");
            tx.executeWithoutResult(s -> inbox.firstDelivery(CONSUMER, key));
            return;
        }
        if (read instanceof Updates.Read.Handle h
                && (h.incoming() instanceof Incoming.PreCheckout || h.incoming() instanceof Incoming.Paid
                || h.incoming() instanceof Incoming.Refunded)) {
            payment(update, envelope, key, h.incoming());
            return;
        }
        if (read instanceof Updates.Read.Handle h && h.incoming() instanceof Incoming.Command c
                && c.name().equals("admin") && admin.isAdmin(c.userId())) {
            admin(update, envelope, key, c);
            return;
        }
        long from = switch (read) {
            case Updates.Read.Handle h -> h.incoming().userId();
            case Updates.Read.Rehost r -> r.photo().userId();
            case Updates.Read.Ignore i -> 0;
        };
        boolean banned = bans.isBanned(from) && !admin.isAdmin(from);
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            ChatStore.Loaded loaded = chats.load(chatOf(read));
            Rehosting.Ready photo = null;
            Incoming incoming;
            Conversation.Outcome outcome = null;
            switch (read) {
                case Updates.Read.Handle h -> incoming = h.incoming();
                case Updates.Read.Rehost r -> {
                    incoming = r.photo().rehostedAt(null);
                    if (!banned && conversation.wantsPhoto(loaded.state())) {
                        switch (rehost(r.photo())) {
                            case Rehosting.Ready ready -> {
                                photo = ready;
                                incoming = r.photo().rehostedAt(publicBaseUrl + "/media/" + ready.token() + "."
                                        + ready.file().extension());
                            }
                            case Rehosting.Refused refused -> outcome = conversation.say(loaded.state(), incoming,
                                    refused.textKey(), Long.toString(files.maxBytes() / (1024 * 1024)));
                        }
                    }
                }
                case Updates.Read.Ignore i -> throw new IllegalStateException("handled above");
            }
            if (banned) {
                // one answer to whatever a banned user sends, and nothing else
                photo = null;
                outcome = conversation.say(loaded.state(), incoming, "banned");
            }
            List<String> photos = List.of();
            if (outcome == null && incoming instanceof Incoming.Tap tap && tap.data() != null
                    && tap.data().startsWith("ok:") && loaded.state() != null) {
                // a confirmation: the photos it names must still be there for KIE, and then stay a whole TTL
                photos = mediaTokens(loaded.state().input());
                if (!media.allAlive(photos, PHOTO_MARGIN)) {
                    outcome = conversation.startOver(loaded.state(), incoming, "photo.expired");
                    photos = List.of();
                }
            }
            if (outcome == null) {
                try {
                    outcome = conversation.handle(loaded.state(), incoming);
                } catch (Backend.Unavailable e) {
                    log.atWarn().addKeyValue("updateId", update.updateId()).addKeyValue("reason", e.getMessage())
                            .log("bot.backend-unavailable");
                    // the chat stays where it was, a tap is still answered, the user is told to try again
                    outcome = conversation.say(loaded.state(), incoming, "unavailable");
                }
            }
            Conversation.Outcome decided = outcome;
            Incoming in = incoming;
            Rehosting.Ready rehosted = photo;
            List<String> kept = photos;
            Boolean saved = tx.execute(status -> {
                if (!inbox.firstDelivery(CONSUMER, key)) {
                    return true; // handled meanwhile by another instance
                }
                Instant now = clock.instant();
                if (!chats.save(in.chatId(), in.userId(), decided.state(), loaded.version(), now)) {
                    status.setRollbackOnly();
                    return false;
                }
                if (rehosted != null) {
                    media.store(rehosted.token(), in.chatId(), rehosted.file());
                }
                media.keep(kept);
                emit(update, envelope, in, decided, now);
                ChatCommand.SendChatMessage bonus = banned ? null : bonuses.firstSeen(in, decided.state().language(),
                        "telegram-update:" + update.updateId(), envelope.eventId().value().toString(), now);
                if (bonus != null) {
                    outbox.append(bonus, "telegram-update:" + update.updateId(), envelope.eventId().value()
                            .toString());
                }
                return true;
            });
            if (Boolean.TRUE.equals(saved)) {
                log.atInfo().addKeyValue("updateId", update.updateId()).addKeyValue("userId", in.userId())
                        .addKeyValue("kind", in.getClass().getSimpleName())
                        .addKeyValue("step", decided.state().step()).log("bot.update-handled");
                return;
            }
        }
        throw new IllegalStateException("chat " + chatOf(read) + " kept moving while update "
                + update.updateId() + " was handled");
    }

    /** An admin's command: decided before the transaction (it reads figures over HTTP), done in it. */
    private void admin(TelegramUpdateReceived update, Envelope envelope, EventId key, Incoming.Command c) {
        Admin.Action action = admin.decide(c);
        String correlation = "telegram-update:" + update.updateId();
        String causation = envelope.eventId().value().toString();
        tx.executeWithoutResult(status -> {
            if (!inbox.firstDelivery(CONSUMER, key)) {
                return;
            }
            Instant now = clock.instant();
            String html = switch (action) {
                case Admin.Action.Say say -> say.html();
                case Admin.Action.Credit credit -> {
                    String reference = adminReference(AdminReports.CREDIT, c, update, credit.reason());
                    outbox.append(new io.kiepipeline.schemas.LedgerCommand.DepositRequested(
                            Ids.depositIdForReference(reference), new UserId(credit.userId()), credit.amountMinor(),
                            currency, reference), correlation, causation);
                    yield credit.html();
                }
                case Admin.Action.Debit debit -> {
                    String reference = adminReference(AdminReports.DEBIT, c, update, debit.reason());
                    outbox.append(new io.kiepipeline.schemas.LedgerCommand.DebitRequested(
                            Ids.debitIdForReference(reference), new UserId(debit.userId()), debit.amountMinor(),
                            currency, reference), correlation, causation);
                    yield debit.html();
                }
                case Admin.Action.Refund refund -> payments.startRefund(refund.telegramChargeId(), c.userId(),
                        correlation, causation);
                case Admin.Action.Ban ban -> {
                    bans.ban(ban.userId(), ban.reason(), c.userId(), now);
                    yield ban.html();
                }
                case Admin.Action.Unban unban -> {
                    bans.unban(unban.userId());
                    yield unban.html();
                }
                case Admin.Action.Broadcast broadcast -> {
                    Broadcaster.start(jdbc, Ids.nameUuid("broadcast:" + update.updateId()), broadcast.text(),
                            c.userId(), c.chatId(), now);
                    yield broadcast.html();
                }
            };
            log.atInfo().addKeyValue("userId", c.userId()).addKeyValue("action", action.getClass().getSimpleName())
                    .log("bot.admin");
            outbox.append(new ChatCommand.SendChatMessage(Ids.nameUuid(correlation + ":0"), new ChatId(c.chatId()),
                    html, List.of(), now), correlation, causation);
        });
    }

    /**
     * An admin's credit or debit is keyed by the update (once, however often it comes) and names the admin, who is
     * told the ledger's answer; the reason travels with it, cut to what a reference holds.
     */
    private static String adminReference(String prefix, Incoming.Command c, TelegramUpdateReceived update,
                                         String reason) {
        return Limits.cap(prefix + c.userId() + ":" + update.updateId() + ":" + reason, Limits.DEPOSIT_REFERENCE);
    }

    /** A payment's update: no conversation, one transaction (the inbox, the payment, what it asks for). */
    private void payment(TelegramUpdateReceived update, Envelope envelope, EventId key, Incoming in) {
        ChatStore.Loaded loaded = chats.load(in.chatId());
        io.kiepipeline.schemas.Language language = loaded.state() != null ? loaded.state().language()
                : io.kiepipeline.schemas.Language.fromTag(in.languageCode());
        UUID commandId = Ids.nameUuid("telegram-update:" + update.updateId() + ":0");
        String correlation = "telegram-update:" + update.updateId();
        String causation = envelope.eventId().value().toString();
        tx.executeWithoutResult(status -> {
            if (!inbox.firstDelivery(CONSUMER, key)) {
                return;
            }
            Instant now = clock.instant();
            List<ChatCommand> answers = switch (in) {
                case Incoming.PreCheckout q when bans.isBanned(q.userId()) -> List.of(
                        new ChatCommand.AnswerPreCheckoutQuery(commandId, new ChatId(q.chatId()), q.queryId(), false,
                                io.kiepipeline.bot.conversation.Texts.get(language, "banned"), now));
                case Incoming.PreCheckout q -> List.of(payments.preCheckout(q, commandId, language, now));
                case Incoming.Paid p -> java.util.Optional.ofNullable((ChatCommand) payments.paid(p, commandId,
                        language, correlation, causation, now)).stream().toList();
                case Incoming.Refunded r -> payments.refunded(r, commandId, now);
                case Incoming.Command c -> throw new IllegalStateException("not a payment: " + c);
                case Incoming.Text t -> throw new IllegalStateException("not a payment: " + t);
                case Incoming.Photo ph -> throw new IllegalStateException("not a payment: " + ph);
                case Incoming.Tap t -> throw new IllegalStateException("not a payment: " + t);
                case Incoming.Other o -> throw new IllegalStateException("not a payment: " + o);
            };
            for (ChatCommand answer : answers) {
                outbox.append(answer, correlation, causation);
            }
        });
    }

    /** The tokens of the re-hosted photos an input names. */
    private List<String> mediaTokens(java.util.Map<String, Object> input) {
        String prefix = publicBaseUrl + "/media/";
        List<String> tokens = new java.util.ArrayList<>();
        for (Object value : input.values()) {
            for (Object v : value instanceof List<?> list ? list : List.of(value)) {
                if (!publicBaseUrl.isEmpty() && v instanceof String url && url.startsWith(prefix)) {
                    String name = url.substring(prefix.length());
                    int dot = name.indexOf('.');
                    tokens.add(dot < 0 ? name : name.substring(0, dot));
                }
            }
        }
        return tokens;
    }

    private static long chatOf(Updates.Read read) {
        return switch (read) {
            case Updates.Read.Handle h -> h.incoming().chatId();
            case Updates.Read.Rehost r -> r.photo().chatId();
            case Updates.Read.Ignore i -> 0;
        };
    }

    /** Downloads the photo, before any transaction, and gives it a token. */
    private Rehosting rehost(Updates.PhotoUpload photo) {
        if (publicBaseUrl.isEmpty()) {
            log.atWarn().log("bot.photo-refused; PUBLIC_BASE_URL is not set, so KIE could not fetch it");
            return new Rehosting.Refused("photo.unavailable");
        }
        return switch (files.download(photo.fileId())) {
            case TelegramFiles.Result.Ok ok -> new Rehosting.Ready(MediaStore.newToken(), ok.file());
            case TelegramFiles.Result.TooLarge t -> new Rehosting.Refused("photo.too-large");
            case TelegramFiles.Result.Failed f -> {
                log.atWarn().addKeyValue("userId", photo.userId()).addKeyValue("why", f.why())
                        .log("bot.photo-unavailable");
                yield new Rehosting.Refused("photo.failed");
            }
        };
    }

    private boolean handled(EventId key) {
        return Boolean.TRUE.equals(jdbc.queryForObject("select exists (select 1 from processed_event"
                + " where consumer = ? and event_id = ?)", Boolean.class, CONSUMER, key.value()));
    }

    private void emit(TelegramUpdateReceived update, Envelope envelope, Incoming incoming,
                      Conversation.Outcome outcome, Instant now) {
        ChatId chat = new ChatId(incoming.chatId());
        String correlation = "telegram-update:" + update.updateId();
        String causation = envelope.eventId().value().toString();
        List<Effect> effects = outcome.effects();
        for (int i = 0; i < effects.size(); i++) {
            // derived from the update and the effect's place: the same update asks for the same commands
            UUID commandId = Ids.nameUuid("telegram-update:" + update.updateId() + ":" + i);
            switch (effects.get(i)) {
                case Effect.Send s -> outbox.append(new ChatCommand.SendChatMessage(commandId, chat, s.html(),
                        buttons(s.keyboard()), now), correlation, causation);
                case Effect.Edit e -> outbox.append(new ChatCommand.EditChatMessage(commandId, chat, e.messageId(),
                        e.html(), buttons(e.keyboard()), now), correlation, causation);
                case Effect.AnswerTap a -> outbox.append(new ChatCommand.AnswerCallbackQuery(commandId, chat,
                        a.queryId(), a.text(), now), correlation, causation);
                case Effect.Invoice invoice -> outbox.append(payments.invoice(invoice, commandId,
                        outcome.state().language(),
                        now), correlation, causation);
                case Effect.Generate g -> {
                    JobId jobId = new JobId(Ids.nameUuid("telegram-generation:" + g.idempotencyKey()));
                    outbox.append(new GenerationRequested(jobId, g.idempotencyKey(), new UserId(g.userId()),
                            new ChatId(g.chatId()), g.modelId(), g.input(), now, RequestSource.TELEGRAM,
                            quoteId(g.quoteId()), outcome.state().language(),
                            g.progressMessage() > 0 ? g.progressMessage() : null), jobId.toString(), causation);
                    log.atInfo().addKeyValue("jobId", jobId).addKeyValue("userId", g.userId())
                            .addKeyValue("model", g.modelId()).log("generation.requested");
                }
            }
        }
    }

    private static List<List<ChatCommand.InlineButton>> buttons(Effect.Keyboard keyboard) {
        return keyboard.rows().stream().map(row -> row.stream()
                .map(b -> new ChatCommand.InlineButton(b.text(), b.data())).toList()).toList();
    }

    private static UUID quoteId(String id) {
        try {
            return id == null ? null : UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
