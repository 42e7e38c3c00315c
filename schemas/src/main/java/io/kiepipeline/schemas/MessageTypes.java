package io.kiepipeline.schemas;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The logical wire name of every message type ({@code event-type} header), registered once. Never a Java class name:
 * renaming a class must not break a consumer or an analytics job.
 */
public final class MessageTypes {
    public static final int SCHEMA_VERSION = 1;

    private static final Map<String, Class<? extends Message>> BY_NAME = new LinkedHashMap<>();
    private static final Map<Class<? extends Message>, String> BY_CLASS = new LinkedHashMap<>();

    static {
        register("gateway.generation-requested.v1", GatewayEvent.GenerationRequested.class);
        register("gateway.callback-received.v1", GatewayEvent.CallbackReceived.class);
        register("ledger.place-hold.v1", LedgerCommand.PlaceHold.class);
        register("ledger.capture-hold.v1", LedgerCommand.CaptureHold.class);
        register("ledger.release-hold.v1", LedgerCommand.ReleaseHold.class);
        register("ledger.deposit-requested.v1", LedgerCommand.DepositRequested.class);
        register("ledger.debit-requested.v1", LedgerCommand.DebitRequested.class);
        register("ledger.hold-placed.v1", LedgerEvent.HoldPlaced.class);
        register("ledger.hold-rejected.v1", LedgerEvent.HoldRejected.class);
        register("ledger.hold-captured.v1", LedgerEvent.HoldCaptured.class);
        register("ledger.hold-released.v1", LedgerEvent.HoldReleased.class);
        register("ledger.funds-deposited.v1", LedgerEvent.FundsDeposited.class);
        register("ledger.hold-command-refused.v1", LedgerEvent.HoldCommandRefused.class);
        register("ledger.deposit-refused.v1", LedgerEvent.DepositRefused.class);
        register("ledger.funds-debited.v1", LedgerEvent.FundsDebited.class);
        register("ledger.debit-refused.v1", LedgerEvent.DebitRefused.class);
        register("kie.submit-task.v1", KieCommand.SubmitKieTask.class);
        register("kie.poll-task.v1", KieCommand.PollKieTask.class);
        register("kie.task-accepted.v1", KieEvent.KieTaskAccepted.class);
        register("kie.task-rejected.v1", KieEvent.KieTaskRejected.class);
        register("kie.task-status-observed.v1", KieEvent.KieTaskStatusObserved.class);
        register("kie.task-submission-uncertain.v1", KieEvent.KieTaskSubmissionUncertain.class);
        register("kie.accounts-observed.v1", KieAccountEvent.KieAccountsObserved.class);
        register("job.created.v1", JobEvent.JobCreated.class);
        register("job.rejected.v1", JobEvent.JobRejected.class);
        register("job.submitted.v1", JobEvent.JobSubmitted.class);
        register("job.succeeded.v1", JobEvent.JobSucceeded.class);
        register("job.failed.v1", JobEvent.JobFailed.class);
        register("job.delivered.v1", JobEvent.JobDelivered.class);
        register("job.late-result.v1", JobEvent.JobLateResult.class);
        register("delivery.result-delivered.v1", DeliveryEvent.ResultDelivered.class);
        register("delivery.delivery-failed.v1", DeliveryEvent.DeliveryFailed.class);
        register("gateway.telegram-update-received.v1", TelegramUpdate.TelegramUpdateReceived.class);
        register("bot.send-chat-message.v1", ChatCommand.SendChatMessage.class);
        register("bot.edit-chat-message.v1", ChatCommand.EditChatMessage.class);
        register("bot.answer-callback-query.v1", ChatCommand.AnswerCallbackQuery.class);
        register("bot.send-invoice.v1", ChatCommand.SendInvoice.class);
        register("bot.answer-pre-checkout-query.v1", ChatCommand.AnswerPreCheckoutQuery.class);
        register("bot.refund-star-payment.v1", ChatCommand.RefundStarPayment.class);
        // Every permitted subclass of every family must be registered: a new record without a name fails here.
        for (Topic<?> topic : Topics.ALL) {
            Arrays.stream(topic.family().getPermittedSubclasses()).forEach(c -> {
                if (!BY_CLASS.containsKey(c)) {
                    throw new ExceptionInInitializerError("no wire name for " + c.getName());
                }
            });
        }
    }

    private MessageTypes() {
    }

    private static void register(String name, Class<? extends Message> type) {
        BY_NAME.put(name, type);
        BY_CLASS.put(type, name);
    }

    public static String nameOf(Class<? extends Message> type) {
        String name = BY_CLASS.get(type);
        if (name == null) {
            throw new IllegalArgumentException("no wire name for " + type.getName());
        }
        return name;
    }

    public static Optional<Class<? extends Message>> classOf(String name) {
        return Optional.ofNullable(BY_NAME.get(name));
    }

    public static Map<String, Class<? extends Message>> all() {
        return Map.copyOf(BY_NAME);
    }
}
