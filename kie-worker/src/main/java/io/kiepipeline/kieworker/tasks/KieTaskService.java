package io.kiepipeline.kieworker.tasks;

import io.kiepipeline.kieworker.client.CreateTaskThrottle;
import io.kiepipeline.kieworker.client.KieClient;
import io.kiepipeline.kieworker.client.KieResponse;
import io.kiepipeline.platform.callbacks.CallbackToken;
import io.kiepipeline.platform.inbox.Inbox;
import io.kiepipeline.platform.kie.KieTaskData;
import io.kiepipeline.platform.messaging.Envelope;
import io.kiepipeline.platform.outbox.OutboxWriter;
import io.kiepipeline.schemas.KieCommand;
import io.kiepipeline.schemas.KieCommand.PollKieTask;
import io.kiepipeline.schemas.KieCommand.SubmitKieTask;
import io.kiepipeline.schemas.KieEvent;
import io.kiepipeline.schemas.KieTaskState;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.JsonNode;

/**
 * Carries out KIE commands. A job gets at most one KIE task: a repeated SubmitKieTask answers with the stored outcome
 * instead of calling KIE again. Network errors, 429 and 5xx are retried with exponential back-off; any other 4xx is
 * final and becomes KieTaskRejected (so the orchestrator releases the hold).
 */
@Service
public class KieTaskService {
    static final String CONSUMER = "kie-worker";
    private static final Logger log = LoggerFactory.getLogger(KieTaskService.class);

    private final KieClient kie;
    private final CreateTaskThrottle throttle;
    private final KieTaskRepository tasks;
    private final Inbox inbox;
    private final OutboxWriter outbox;
    private final KieSettings settings;
    private final Clock clock;

    public KieTaskService(KieClient kie, CreateTaskThrottle throttle, KieTaskRepository tasks, Inbox inbox,
                          OutboxWriter outbox, KieSettings settings,
                          Clock clock) {
        this.kie = kie;
        this.throttle = throttle;
        this.tasks = tasks;
        this.inbox = inbox;
        this.outbox = outbox;
        this.settings = settings;
        this.clock = clock;
    }

    @Transactional
    public void handle(Envelope envelope) throws InterruptedException {
        if (!inbox.firstDelivery(CONSUMER, envelope.eventId())) {
            return;
        }
        String causation = envelope.eventId().toString();
        switch ((KieCommand) envelope.message()) {
            case SubmitKieTask c -> submit(c, causation);
            case PollKieTask c -> poll(c, causation);
        }
    }

    private void submit(SubmitKieTask c, String causation) throws InterruptedException {
        String jobId = c.jobId().toString();
        Optional<KieTask> existing = tasks.findById(c.jobId().value());
        if (existing.isPresent()) {
            KieTask t = existing.get();
            log.atInfo().addKeyValue("jobId", jobId).addKeyValue("taskId", t.taskId())
                    .log("kie.submit-repeated; answering with the stored outcome, KIE not called");
            outbox.append(t.isAccepted()
                    ? new KieEvent.KieTaskAccepted(c.jobId(), t.taskId(), t.callbackExpected(), t.createdAt())
                    : new KieEvent.KieTaskRejected(c.jobId(), t.rejectCode(), t.rejectMessage(), t.createdAt()),
                    jobId, causation);
            return;
        }
        String callBackUrl = settings.callbacks() ? callbackUrl(jobId) : null;
        KieResponse response = null;
        int attempt = 0;
        while (attempt < settings.retryAttempts()) {
            attempt++;
            throttle.acquire();
            log.atInfo().addKeyValue("jobId", jobId).addKeyValue("userId", c.userId()).addKeyValue("model", c.model())
                    .addKeyValue("attempt", attempt).addKeyValue("callback", callBackUrl != null)
                    .log("kie.create-task.request");
            response = kie.createTask(c.model(), callBackUrl, c.input());
            String taskId = response.data() == null ? null : response.data().path("taskId").asString(null);
            log.atInfo().addKeyValue("jobId", jobId).addKeyValue("httpStatus", response.httpStatus())
                    .addKeyValue("code", response.code()).addKeyValue("msg", response.msg())
                    .addKeyValue("taskId", taskId).log("kie.create-task.response");
            if (response.ok() && taskId != null && !taskId.isBlank()) {
                Instant now = clock.instant();
                tasks.save(KieTask.accepted(c.jobId().value(), taskId, c.model(), callBackUrl != null, attempt, now));
                outbox.append(new KieEvent.KieTaskAccepted(c.jobId(), taskId, callBackUrl != null, now), jobId,
                        causation);
                return;
            }
            if (response.ok() || !response.retryable()) {
                break;
            }
            if (attempt < settings.retryAttempts()) {
                long pause = settings.backOff(attempt).toMillis();
                log.atWarn().addKeyValue("jobId", jobId).addKeyValue("code", response.code())
                        .addKeyValue("retryInMs", pause).log("kie.create-task.retrying");
                Thread.sleep(pause);
            }
        }
        Instant now = clock.instant();
        int code = response.ok() ? 500 : response.code();
        String message = response.ok() ? "KIE answered success without a taskId"
                : response.retryable() ? "KIE unavailable after " + attempt + " attempts: " + response.msg()
                : response.msg();
        tasks.save(KieTask.rejected(c.jobId().value(), c.model(), code, message, attempt, now));
        outbox.append(new KieEvent.KieTaskRejected(c.jobId(), code, message, now), jobId, causation);
        log.atWarn().addKeyValue("jobId", jobId).addKeyValue("code", code).addKeyValue("msg", message)
                .log("kie.create-task.rejected");
    }

    private void poll(PollKieTask c, String causation) {
        String jobId = c.jobId().toString();
        KieResponse response = kie.recordInfo(c.taskId());
        Instant now = clock.instant();
        if (!response.ok() || response.data() == null) {
            // 422 "recordInfo is null" right after creation, or a passing error: the next poll will ask again.
            log.atInfo().addKeyValue("jobId", jobId).addKeyValue("taskId", c.taskId())
                    .addKeyValue("httpStatus", response.httpStatus()).addKeyValue("code", response.code())
                    .addKeyValue("msg", response.msg()).log("kie.poll.no-answer");
            return;
        }
        JsonNode data = response.data();
        KieTaskState state;
        try {
            state = KieTaskState.fromWire(data.path("state").asString(""));
        } catch (IllegalArgumentException e) {
            log.atWarn().addKeyValue("jobId", jobId).addKeyValue("taskId", c.taskId())
                    .addKeyValue("state", data.path("state").asString("")).log("kie.poll.unknown-state");
            return;
        }
        tasks.findById(c.jobId().value()).ifPresent(t -> t.polled(state.wire(), now));
        log.atInfo().addKeyValue("jobId", jobId).addKeyValue("taskId", c.taskId()).addKeyValue("state", state.wire())
                .addKeyValue("attempt", c.attempt()).log("kie.poll.state");
        if (!state.isTerminal()) {
            return;
        }
        List<String> urls;
        try {
            urls = KieTaskData.resultUrls(data);
        } catch (IllegalArgumentException e) {
            // an unreadable result is no result: the saga fails the job and releases the hold
            urls = List.of();
        }
        outbox.append(new KieEvent.KieTaskStatusObserved(c.jobId(), c.taskId(), state, urls,
                KieTaskData.text(data, "failCode"), KieTaskData.text(data, "failMsg"), KieTaskData.credits(data), now),
                jobId, causation);
    }


    private String callbackUrl(String jobId) {
        CallbackToken tokens = settings.callbackTokens();
        String base = settings.publicBaseUrl().endsWith("/")
                ? settings.publicBaseUrl().substring(0, settings.publicBaseUrl().length() - 1)
                : settings.publicBaseUrl();
        return base + "/kie/callback/" + jobId + "?token=" + tokens.tokenFor(jobId);
    }
}
