package io.kiepipeline.kieworker.tasks;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** The KIE task made for a job (or KIE's refusal): at most one per job. */
@Entity
@Table(name = "kie_task")
public class KieTask {
    @Id
    @Column(name = "job_id")
    private UUID jobId;
    @Column(name = "task_id")
    private String taskId;
    private String model;
    private String outcome;
    @Column(name = "reject_code")
    private Integer rejectCode;
    @Column(name = "reject_message")
    private String rejectMessage;
    @Column(name = "callback_expected")
    private boolean callbackExpected;
    private int attempts;
    @Column(name = "created_at")
    private Instant createdAt;
    @Column(name = "last_polled_at")
    private Instant lastPolledAt;
    @Column(name = "last_state")
    private String lastState;

    protected KieTask() {
    }

    static KieTask accepted(UUID jobId, String taskId, String model, boolean callbackExpected, int attempts,
                            Instant now) {
        KieTask t = new KieTask();
        t.jobId = jobId;
        t.taskId = taskId;
        t.model = model;
        t.outcome = "ACCEPTED";
        t.callbackExpected = callbackExpected;
        t.attempts = attempts;
        t.createdAt = now;
        return t;
    }

    static KieTask rejected(UUID jobId, String model, int code, String message, int attempts, Instant now) {
        KieTask t = new KieTask();
        t.jobId = jobId;
        t.model = model;
        t.outcome = "REJECTED";
        t.rejectCode = code;
        t.rejectMessage = message == null ? null : message.substring(0, Math.min(1000, message.length()));
        t.attempts = attempts;
        t.createdAt = now;
        return t;
    }

    void polled(String state, Instant now) {
        lastState = state;
        lastPolledAt = now;
    }

    boolean isAccepted() {
        return "ACCEPTED".equals(outcome);
    }

    String taskId() {
        return taskId;
    }

    boolean callbackExpected() {
        return callbackExpected;
    }

    int rejectCode() {
        return rejectCode == null ? 0 : rejectCode;
    }

    String rejectMessage() {
        return rejectMessage;
    }

    Instant createdAt() {
        return createdAt;
    }
}
