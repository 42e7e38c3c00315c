package io.kiepipeline.schemas;

import java.util.List;

/** Every topic of the pipeline, declared once. docs/events.md is the human-readable copy of this table. */
public final class Topics {
    private Topics() {
    }

    public static final Topic<GatewayEvent> GATEWAY_EVENTS =
            new Topic<>("gateway.events", GatewayEvent.class, Topic.KeyKind.JOB_ID);
    public static final Topic<LedgerCommand> LEDGER_COMMANDS =
            new Topic<>("ledger.commands", LedgerCommand.class, Topic.KeyKind.USER_ID);
    public static final Topic<LedgerEvent> LEDGER_EVENTS =
            new Topic<>("ledger.events", LedgerEvent.class, Topic.KeyKind.USER_ID);
    public static final Topic<KieCommand> KIE_COMMANDS =
            new Topic<>("kie-worker.commands", KieCommand.class, Topic.KeyKind.JOB_ID);
    public static final Topic<KieEvent> KIE_EVENTS =
            new Topic<>("kie-worker.events", KieEvent.class, Topic.KeyKind.JOB_ID);
    public static final Topic<KieAccountEvent> KIE_ACCOUNTS =
            new Topic<>("kie-worker.accounts", KieAccountEvent.class, Topic.KeyKind.SINGLE, true);
    public static final Topic<JobEvent> JOB_EVENTS =
            new Topic<>("orchestrator.events", JobEvent.class, Topic.KeyKind.JOB_ID);
    public static final Topic<DeliveryEvent> DELIVERY_EVENTS =
            new Topic<>("delivery-worker.events", DeliveryEvent.class, Topic.KeyKind.JOB_ID);

    public static final Topic<TelegramUpdate> TELEGRAM_UPDATES =
            new Topic<>("gateway.telegram-updates", TelegramUpdate.class, Topic.KeyKind.CHAT_ID);
    public static final Topic<ChatCommand> BOT_CHAT_COMMANDS =
            new Topic<>("bot.chat-commands", ChatCommand.class, Topic.KeyKind.CHAT_ID);

    public static final List<Topic<?>> ALL = List.of(GATEWAY_EVENTS, LEDGER_COMMANDS, LEDGER_EVENTS, KIE_COMMANDS,
            KIE_EVENTS, KIE_ACCOUNTS, JOB_EVENTS, DELIVERY_EVENTS, TELEGRAM_UPDATES, BOT_CHAT_COMMANDS);

    /** The topic that carries a message family. */
    public static Topic<?> carrying(Class<? extends Message> type) {
        for (Topic<?> topic : ALL) {
            if (topic.family().isAssignableFrom(type)) {
                return topic;
            }
        }
        throw new IllegalArgumentException("no topic carries " + type.getName());
    }
}
