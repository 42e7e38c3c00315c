package io.kiepipeline.schemas;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** One realistic instance of every message type (test data as plain static factories). */
final class Examples {
    static final JobId JOB = new JobId(UUID.fromString("5b2c6f1e-2a4b-3c8d-9e0f-112233445566"));
    static final UserId USER = new UserId(424242L);
    static final ChatId CHAT = new ChatId(424242L);
    static final HoldId HOLD = Ids.holdIdForJob(JOB);
    static final Instant AT = Instant.parse("2026-11-28T12:00:00Z");
    static final java.util.UUID QUOTE = java.util.UUID.fromString("0b5e7a1c-7d0e-4f43-9a3e-2f1d6f3b9c11");
    static final List<String> URLS = List.of("http://127.0.0.1:9001/files/result.png");

    private Examples() {
    }

    static List<Message> everyMessageType() {
        return List.of(
                new GatewayEvent.GenerationRequested(JOB, "key-1", USER, CHAT, "google/nano-banana",
                        Map.of("prompt", "a red fox", "aspect_ratio", "1:1"), AT, RequestSource.API),
                new GatewayEvent.GenerationRequested(JOB, "key-2", USER, CHAT, "kling-2.6/image-to-video", Map.of(),
                        AT, RequestSource.TELEGRAM, QUOTE, Language.RU),
                new GatewayEvent.CallbackReceived(JOB, "task_google_1765178615729", KieTaskState.SUCCESS, URLS, null,
                        null, 4L, AT, "{\"code\":200}", false),
                new LedgerCommand.PlaceHold(HOLD, JOB, USER, 1500, "RUB"),
                new LedgerCommand.CaptureHold(HOLD, JOB, USER),
                new LedgerCommand.ReleaseHold(HOLD, JOB, USER, ReleaseReason.TASK_FAILED),
                new LedgerCommand.DepositRequested(Ids.depositIdForReference("ref-1"), USER, 10000, "RUB", "ref-1"),
                new LedgerCommand.DebitRequested(Ids.debitIdForReference("admin-debit:1"), USER, 2500, "RUB",
                        "admin-debit:1"),
                new LedgerEvent.FundsDebited(Ids.debitIdForReference("admin-debit:1"), USER, 2500, "RUB",
                        "admin-debit:1", 7500, 0),
                new LedgerEvent.DebitRefused(Ids.debitIdForReference("admin-debit:2"), USER, 90000, "RUB",
                        "admin-debit:2", DebitRefusalReason.INSUFFICIENT_FUNDS, 7500, 0),
                new LedgerEvent.HoldPlaced(HOLD, JOB, USER, 1500, "RUB", 8500, 1500),
                new LedgerEvent.HoldRejected(HOLD, JOB, USER, 1500, "RUB", HoldRejectionReason.INSUFFICIENT_FUNDS,
                        100, 0),
                new LedgerEvent.HoldCaptured(HOLD, JOB, USER, 1500, "RUB", 8500, 0),
                new LedgerEvent.HoldReleased(HOLD, JOB, USER, 1500, "RUB", ReleaseReason.KIE_REJECTED, 10000, 0),
                new LedgerEvent.HoldCommandRefused(HOLD, JOB, USER, HoldCommandKind.CAPTURE,
                        HoldRefusalReason.HOLD_ALREADY_RELEASED, "RUB", 10000, 0),
                new LedgerEvent.DepositRefused(Ids.depositIdForReference("ref-2"), USER, 500, "RUB", "ref-2",
                        DepositRefusalReason.EXISTS_WITH_DIFFERENT_AMOUNT, 10000, 0),
                new LedgerEvent.FundsDeposited(Ids.depositIdForReference("ref-1"), USER, 10000, "RUB", "ref-1",
                        10000, 0),
                new KieCommand.SubmitKieTask(JOB, USER, "google/nano-banana", Map.of("prompt", "a red fox"), AT),
                new KieCommand.SubmitKieTask(JOB, USER, "veo3.1/fast", Map.of("prompt", "a red fox"), AT,
                        KieApiFamily.VEO, "veo3_fast"),
                new KieCommand.PollKieTask(JOB, "task_1", 3),
                new KieEvent.KieTaskAccepted(JOB, "task_1", true, AT),
                new KieEvent.KieTaskRejected(JOB, 422, "Invalid prompt", AT),
                new KieEvent.KieTaskSubmissionUncertain(JOB, "read timeout after sending createTask", AT),
                new KieEvent.KieTaskStatusObserved(JOB, "task_1", KieTaskState.FAIL, List.of(), "500",
                        "Internal server error", 0L, AT),
                new KieAccountEvent.KieAccountsObserved(7, List.of(new KieAccountEvent.KieKeyState("k3fa2c1d0", true,
                        null, 1200L, AT, false), new KieAccountEvent.KieKeyState("k9b0e44a1", false,
                        "402 Insufficient Credits", 0L, AT, true)), AT),
                new JobEvent.JobCreated(JOB, USER, CHAT, "google/nano-banana", OutputType.IMAGE, 1500, "RUB",
                        RequestSource.TELEGRAM, AT),
                new JobEvent.JobCreated(JOB, USER, CHAT, "kling-2.6/image-to-video", OutputType.VIDEO, 6000, "RUB",
                        RequestSource.TELEGRAM, AT, "2026-11-29.1", QUOTE, Language.RU),
                new JobEvent.JobRejected(JOB, USER, CHAT, "nope/model", JobRejectionReason.UNKNOWN_MODEL,
                        "no such model: nope/model", AT),
                new JobEvent.JobRejected(JOB, USER, CHAT, "kling-2.6/image-to-video", JobRejectionReason.QUOTE_CHANGED,
                        "the price changed", AT, new QuoteOffer(QUOTE, 7000, "RUB", "2026-11-29.2", AT), Language.RU),
                new JobEvent.JobSubmitted(JOB, USER, "task_1", AT),
                new JobEvent.JobSucceeded(JOB, USER, CHAT, "google/nano-banana", OutputType.IMAGE, URLS, 1500, "RUB",
                        AT),
                new JobEvent.JobLateResult(JOB, USER, CHAT, "kling-2.6/image-to-video", OutputType.VIDEO, URLS, AT),
                new JobEvent.JobFailed(JOB, USER, CHAT, "google/nano-banana", JobFailureReason.TASK_FAILED,
                        "500: Internal server error", AT),
                new JobEvent.JobDelivered(JOB, USER, AT),
                new DeliveryEvent.ResultDelivered(JOB, CHAT, NoticeKind.RESULT, 1, AT),
                new DeliveryEvent.DeliveryFailed(JOB, CHAT, NoticeKind.RESULT, DeliveryFailureReason.BOT_BLOCKED, 403,
                        "Forbidden: bot was blocked by the user", AT),
                new JobEvent.JobSucceeded(JOB, USER, CHAT, "google/nano-banana", OutputType.IMAGE, URLS, 1500, "RUB",
                        AT, "a red fox in the snow"),
                new ChatCommand.SendChatMessage(QUOTE, CHAT, "<b>Nano Banana</b>: pick", List.of(List.of(
                        new ChatCommand.InlineButton("Make it", "g:google/nano-banana"))), AT),
                new ChatCommand.EditChatMessage(QUOTE, CHAT, 1001, "Queued", List.of(), AT),
                new ChatCommand.AnswerCallbackQuery(QUOTE, CHAT, "4382", null, AT),
                new ChatCommand.SendInvoice(QUOTE, CHAT, "100 Stars", "Top-up: +200.00 RUB on your balance",
                        "topup:7d5e8c1a-0000-4000-8000-000000000001", "XTR", 100, "Top-up", AT),
                new ChatCommand.AnswerPreCheckoutQuery(QUOTE, CHAT, "pcq-1", true, null, AT),
                new ChatCommand.RefundStarPayment(QUOTE, CHAT, 42, "stxch_1", AT),
                new TelegramUpdate.TelegramUpdateReceived(734_001, 42, "{\"update_id\":734001,\"message\":{"
                        + "\"message_id\":7,\"date\":1,\"chat\":{\"id\":42,\"type\":\"private\"},"
                        + "\"from\":{\"id\":42,\"is_bot\":false,\"first_name\":\"A\"},\"text\":\"/start\"}}", AT));
    }
}
