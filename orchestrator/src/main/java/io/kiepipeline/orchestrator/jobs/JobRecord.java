package io.kiepipeline.orchestrator.jobs;

import io.kiepipeline.orchestrator.jobs.core.JobState;
import io.kiepipeline.orchestrator.jobs.core.JobStatus;
import io.kiepipeline.orchestrator.jobs.core.HoldState;

import io.kiepipeline.schemas.ChatId;
import io.kiepipeline.schemas.JobId;
import io.kiepipeline.schemas.Limits;
import io.kiepipeline.schemas.MessageCodec;
import io.kiepipeline.schemas.OutputType;
import io.kiepipeline.schemas.RequestSource;
import io.kiepipeline.schemas.UserId;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.PostLoad;
import jakarta.persistence.PrePersist;
import jakarta.persistence.Table;
import jakarta.persistence.Transient;
import jakarta.persistence.Version;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.data.domain.Persistable;

/** The stored job: {@link JobState} plus what operators and the read API want (timestamps, failure details). */
@Entity
@Table(name = "job")
public class JobRecord implements Persistable<UUID> {
    @Id
    @Column(name = "job_id")
    private UUID jobId;
    @Column(name = "idempotency_key")
    private String idempotencyKey;
    @Column(name = "user_id")
    private long userId;
    @Column(name = "chat_id")
    private long chatId;
    private String model;
    private String input;
    @Enumerated(EnumType.STRING)
    @Column(name = "output_type")
    private OutputType outputType;
    @Column(name = "price_minor")
    private long priceMinor;
    private String currency;
    @Enumerated(EnumType.STRING)
    private RequestSource source;
    @Enumerated(EnumType.STRING)
    private JobStatus status;
    @Enumerated(EnumType.STRING)
    @Column(name = "hold_state")
    private HoldState holdState;
    @Column(name = "task_id")
    private String taskId;
    @Column(name = "candidate_task_id")
    private String candidateTaskId;
    @Column(name = "callback_expected")
    private boolean callbackExpected;
    @Column(name = "result_urls")
    private String resultUrls;
    private String reason;
    private String detail;
    @Column(name = "poll_attempts")
    private int pollAttempts;
    @Column(name = "next_poll_at")
    private Instant nextPollAt;
    @Column(name = "deadline_at")
    private Instant deadlineAt;
    @Column(name = "catalog_version")
    private String catalogVersion;
    @Column(name = "kie_credits")
    private Long kieCredits;
    @Column(name = "quote_id")
    private UUID quoteId;
    @Column(name = "delivery_failure")
    private String deliveryFailure;
    @Column(name = "created_at")
    private Instant createdAt;
    @Column(name = "updated_at")
    private Instant updatedAt;
    @Column(name = "submitted_at")
    private Instant submittedAt;
    @Column(name = "finished_at")
    private Instant finishedAt;
    @Column(name = "delivered_at")
    private Instant deliveredAt;
    @Column(name = "notified_at")
    private Instant notifiedAt;
    @Column(name = "status_since")
    private Instant statusSince;
    @Version
    private long version;
    /** A job made here and not yet stored: saved with an insert, not a merge (which would first look for the row). */
    @Transient
    private boolean fresh;

    protected JobRecord() {
    }

    static JobRecord create(JobState s, String idempotencyKey, RequestSource source, Instant now) {
        JobRecord r = new JobRecord();
        r.jobId = s.jobId().value();
        r.idempotencyKey = idempotencyKey;
        r.source = source;
        r.createdAt = now;
        r.fresh = true;
        r.apply(s, now);
        return r;
    }

    @Override
    public UUID getId() {
        return jobId;
    }

    @Override
    public boolean isNew() {
        return fresh;
    }

    @PrePersist
    @PostLoad
    void stored() {
        fresh = false;
    }

    /** A change of status: the one left, the one entered, and how long the job was in the one it left. */
    record Transition(JobStatus from, JobStatus to, java.time.Duration stayed) {
    }

    @SuppressWarnings("unchecked")
    JobState state() {
        Map<String, Object> in = MessageCodec.mapper().readValue(input, Map.class);
        List<String> urls = resultUrls == null ? List.of()
                : Arrays.asList(MessageCodec.mapper().readValue(resultUrls, String[].class));
        return new JobState(new JobId(jobId), new UserId(userId), new ChatId(chatId), model, in, outputType,
                priceMinor, currency, status, holdState, taskId, callbackExpected, urls, reason, detail,
                pollAttempts, nextPollAt, deadlineAt, candidateTaskId);
    }

    /** Takes the job's new state; returns the change of status it made, if it made one (not for a new job). */
    Transition apply(JobState s, Instant now) {
        JobStatus before = status;
        Instant enteredBefore = statusSince;
        userId = s.userId().value();
        chatId = s.chatId().value();
        model = s.model();
        input = MessageCodec.mapper().writeValueAsString(s.input());
        outputType = s.outputType();
        priceMinor = s.priceMinor();
        currency = s.currency();
        status = s.status();
        holdState = s.hold();
        taskId = s.taskId();
        candidateTaskId = s.candidateTaskId();
        callbackExpected = s.callbackExpected();
        resultUrls = s.resultUrls().isEmpty() ? null : MessageCodec.mapper().writeValueAsString(s.resultUrls());
        reason = s.reason();
        detail = Limits.cut(s.detail(), Limits.DETAIL);
        pollAttempts = s.pollAttempts();
        // the timer's next look: a poll, a ledger command to send again; nothing once the job and its money are settled
        boolean watched = s.status().awaitsKie() || s.status() == JobStatus.AWAITING_HOLD
                || s.hold() == HoldState.CAPTURING || s.hold() == HoldState.RELEASING || s.lateWatched();
        nextPollAt = watched ? s.nextPollAt() : null;
        deadlineAt = s.deadlineAt();
        updatedAt = now;
        if (before == status) {
            return null;
        }
        statusSince = now;
        switch (status) {
            case RUNNING -> submittedAt = now;
            case SUCCEEDED, FAILED, REJECTED -> finishedAt = now;
            case DELIVERED -> deliveredAt = now;
            default -> {
            }
        }
        return before == null ? null : new Transition(before, status,
                enteredBefore == null ? null : java.time.Duration.between(enteredBefore, now));
    }

    void postponeCheck(Instant next) {
        nextPollAt = next;
    }

    /** Where the price came from: the catalog version and, when the user confirmed one, the quote. */
    void priced(String catalogVersion, UUID quoteId) {
        this.catalogVersion = catalogVersion;
        this.quoteId = quoteId;
    }

    public String catalogVersion() {
        return catalogVersion;
    }

    /** KIE's reported cost of the job's task, in credits (null until KIE reported one). */
    void kieCredits(long credits) {
        this.kieCredits = credits;
    }

    public Long kieCredits() {
        return kieCredits;
    }

    public UUID quoteId() {
        return quoteId;
    }

    void deliveryFailed(String why, Instant now) {
        deliveryFailure = why;
        updatedAt = now;
    }

    void notified(Instant now) {
        notifiedAt = now;
        updatedAt = now;
    }

    public UUID jobId() {
        return jobId;
    }

    public String idempotencyKey() {
        return idempotencyKey;
    }

    public RequestSource source() {
        return source;
    }

    public Instant createdAt() {
        return createdAt;
    }

    public Instant updatedAt() {
        return updatedAt;
    }

    public Instant submittedAt() {
        return submittedAt;
    }

    public Instant finishedAt() {
        return finishedAt;
    }

    public Instant deliveredAt() {
        return deliveredAt;
    }

    public Instant notifiedAt() {
        return notifiedAt;
    }

    public String deliveryFailure() {
        return deliveryFailure;
    }
}
