package io.kiepipeline.orchestrator.jobs.core;

import io.kiepipeline.schemas.ChatId;
import io.kiepipeline.schemas.HoldRejectionReason;
import io.kiepipeline.schemas.Ids;
import io.kiepipeline.schemas.JobId;
import io.kiepipeline.schemas.KieTaskState;
import io.kiepipeline.schemas.OutputType;
import io.kiepipeline.schemas.UserId;
import io.kiepipeline.schemas.DeliveryEvent;
import io.kiepipeline.schemas.GatewayEvent;
import io.kiepipeline.schemas.KieEvent;
import io.kiepipeline.schemas.LedgerEvent;
import io.kiepipeline.schemas.NoticeKind;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Test data for the saga: plain static factories. */
final class Jobs {
    static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");
    static final SagaSettings SETTINGS = new SagaSettings(Duration.ofMinutes(20), Duration.ofSeconds(3),
            Duration.ofSeconds(30), Duration.ofMinutes(2));
    static final JobId JOB = new JobId(UUID.fromString("00000000-0000-0000-0000-000000000042"));
    static final UserId USER = new UserId(42);
    static final String TASK = "task_google_1";
    static final List<String> URLS = List.of("https://tempfile.example/result.png");

    private Jobs() {
    }

    static JobState aPaidJob(JobStatus status, HoldState hold) {
        return new JobState(JOB, USER, new ChatId(42), "nano-banana-pro", Map.of("prompt", "a fox"), OutputType.IMAGE,
                1500, "RUB", status, hold, status == JobStatus.RUNNING ? TASK : null, true, List.of(), null, null, 0,
                status == JobStatus.RUNNING ? NOW.plusSeconds(120) : null, NOW.plus(Duration.ofMinutes(20)));
    }

    static JobState aFreeJob(JobStatus status) {
        return new JobState(JOB, USER, new ChatId(42), "google/nano-banana", Map.of("prompt", "a fox"),
                OutputType.IMAGE, 0, "RUB", status, HoldState.NONE, status == JobStatus.RUNNING ? TASK : null, false,
                List.of(), null, null, 0, null, NOW.plus(Duration.ofMinutes(20)));
    }

    static LedgerEvent.HoldPlaced holdPlaced() {
        return new LedgerEvent.HoldPlaced(Ids.holdIdForJob(JOB), JOB, USER, 1500, "RUB", 8500, 1500);
    }

    static LedgerEvent.HoldCaptured holdCaptured() {
        return new LedgerEvent.HoldCaptured(Ids.holdIdForJob(JOB), JOB, USER, 1500, "RUB", 8500, 0);
    }

    static LedgerEvent.HoldReleased holdReleased() {
        return new LedgerEvent.HoldReleased(Ids.holdIdForJob(JOB), JOB, USER, 1500, "RUB",
                io.kiepipeline.schemas.ReleaseReason.TIMED_OUT, 10000, 0);
    }

    static LedgerEvent.HoldRejected holdRejected() {
        return new LedgerEvent.HoldRejected(Ids.holdIdForJob(JOB), JOB, USER, 1500, "RUB",
                HoldRejectionReason.INSUFFICIENT_FUNDS, 100, 0);
    }

    static KieEvent.KieTaskAccepted accepted() {
        return new KieEvent.KieTaskAccepted(JOB, TASK, true, NOW);
    }

    static KieEvent.KieTaskRejected kieRejected() {
        return new KieEvent.KieTaskRejected(JOB, 422, "Invalid prompt", NOW);
    }

    static GatewayEvent.CallbackReceived successCallback() {
        return new GatewayEvent.CallbackReceived(JOB, TASK, KieTaskState.SUCCESS, URLS, null, null, 4L, NOW, "{}", true);
    }

    /** A callback as anyone who saw the job's callback URL could post it: no KIE signature. */
    static GatewayEvent.CallbackReceived unsignedSuccessCallback(String taskId) {
        return new GatewayEvent.CallbackReceived(JOB, taskId, KieTaskState.SUCCESS,
                List.of("https://attacker.example/their.png"), null, null, 4L, NOW, "{}", false);
    }

    static LedgerEvent.HoldCommandRefused refused(io.kiepipeline.schemas.HoldCommandKind command,
                                                  io.kiepipeline.schemas.HoldRefusalReason reason) {
        return new LedgerEvent.HoldCommandRefused(Ids.holdIdForJob(JOB), JOB, USER, command, reason, "RUB", 0, 0);
    }

    static GatewayEvent.CallbackReceived callbackFor(String taskId) {
        return new GatewayEvent.CallbackReceived(JOB, taskId, KieTaskState.SUCCESS, URLS, null, null, 4L, NOW, "{}", true);
    }

    static GatewayEvent.CallbackReceived failureCallback() {
        return new GatewayEvent.CallbackReceived(JOB, TASK, KieTaskState.FAIL, List.of(), "500", "boom", 0L, NOW,
                "{}", true);
    }

    static KieEvent.KieTaskStatusObserved observed(KieTaskState state) {
        return new KieEvent.KieTaskStatusObserved(JOB, TASK, state, state == KieTaskState.SUCCESS ? URLS : List.of(),
                null, null, null, NOW);
    }

    static DeliveryEvent.ResultDelivered resultDelivered() {
        return new DeliveryEvent.ResultDelivered(JOB, new ChatId(42), NoticeKind.RESULT, 1, NOW);
    }
}
