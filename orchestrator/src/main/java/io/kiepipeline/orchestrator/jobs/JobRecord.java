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
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The stored job: {@link JobState} plus what operators and the read API want (timestamps, failure details). A row of
 * the job table, read and written by {@link JobStore} over JDBC; {@link #changed()} says whether it needs writing.
 */
public class JobRecord {
    /** The job table's columns, in the order {@link #from(ResultSet)} reads and {@link #values()} gives them. */
    static final List<String> COLUMNS = List.of("job_id", "idempotency_key", "user_id", "chat_id", "model", "input",
            "output_type", "price_minor", "currency", "source", "status", "hold_state", "task_id",
            "candidate_task_id", "callback_expected", "result_urls", "reason", "detail", "poll_attempts",
            "next_poll_at", "deadline_at", "catalog_version", "kie_credits", "quote_id", "delivery_failure",
            "created_at", "updated_at", "submitted_at", "finished_at", "delivered_at", "notified_at", "status_since",
            "version");

    private UUID jobId;
    private String idempotencyKey;
    private long userId;
    private long chatId;
    private String model;
    private String input;
    private OutputType outputType;
    private long priceMinor;
    private String currency;
    private RequestSource source;
    private JobStatus status;
    private HoldState holdState;
    private String taskId;
    private String candidateTaskId;
    private boolean callbackExpected;
    private String resultUrls;
    private String reason;
    private String detail;
    private int pollAttempts;
    private Instant nextPollAt;
    private Instant deadlineAt;
    private String catalogVersion;
    private Long kieCredits;
    private UUID quoteId;
    private String deliveryFailure;
    private Instant createdAt;
    private Instant updatedAt;
    private Instant submittedAt;
    private Instant finishedAt;
    private Instant deliveredAt;
    private Instant notifiedAt;
    private Instant statusSince;
    /** The row's version as read: a write names it, and fails when another writer changed the row since. */
    private long version;
    /** Changed since read (or made here): {@link JobStore#update} writes it. */
    private boolean changed;
    /** The state as read: the input and result columns are JSON, parsed once. */
    private JobState state;

    private JobRecord() {
    }

    static JobRecord create(JobState s, String idempotencyKey, RequestSource source, Instant now) {
        JobRecord r = new JobRecord();
        r.jobId = s.jobId().value();
        r.idempotencyKey = idempotencyKey;
        r.source = source;
        r.createdAt = now;
        r.apply(s, now);
        return r;
    }

    /** The row the result set is on, its columns as {@link #COLUMNS} names them. */
    static JobRecord from(ResultSet rs) throws SQLException {
        JobRecord r = new JobRecord();
        r.jobId = rs.getObject("job_id", UUID.class);
        r.idempotencyKey = rs.getString("idempotency_key");
        r.userId = rs.getLong("user_id");
        r.chatId = rs.getLong("chat_id");
        r.model = rs.getString("model");
        r.input = rs.getString("input");
        r.outputType = named(OutputType.class, rs.getString("output_type"));
        r.priceMinor = rs.getLong("price_minor");
        r.currency = rs.getString("currency");
        r.source = named(RequestSource.class, rs.getString("source"));
        r.status = named(JobStatus.class, rs.getString("status"));
        r.holdState = named(HoldState.class, rs.getString("hold_state"));
        r.taskId = rs.getString("task_id");
        r.candidateTaskId = rs.getString("candidate_task_id");
        r.callbackExpected = rs.getBoolean("callback_expected");
        r.resultUrls = rs.getString("result_urls");
        r.reason = rs.getString("reason");
        r.detail = rs.getString("detail");
        r.pollAttempts = rs.getInt("poll_attempts");
        r.nextPollAt = instant(rs, "next_poll_at");
        r.deadlineAt = instant(rs, "deadline_at");
        r.catalogVersion = rs.getString("catalog_version");
        r.kieCredits = rs.getObject("kie_credits", Long.class);
        r.quoteId = rs.getObject("quote_id", UUID.class);
        r.deliveryFailure = rs.getString("delivery_failure");
        r.createdAt = instant(rs, "created_at");
        r.updatedAt = instant(rs, "updated_at");
        r.submittedAt = instant(rs, "submitted_at");
        r.finishedAt = instant(rs, "finished_at");
        r.deliveredAt = instant(rs, "delivered_at");
        r.notifiedAt = instant(rs, "notified_at");
        r.statusSince = instant(rs, "status_since");
        r.version = rs.getLong("version");
        return r;
    }

    /** The values of {@link #COLUMNS}, in their order, as JDBC parameters. */
    Object[] values() {
        return new Object[] {jobId, idempotencyKey, userId, chatId, model, input, name(outputType), priceMinor,
                currency, name(source), name(status), name(holdState), taskId, candidateTaskId, callbackExpected,
                resultUrls, reason, detail, pollAttempts, timestamp(nextPollAt), timestamp(deadlineAt),
                catalogVersion, kieCredits, quoteId, deliveryFailure, timestamp(createdAt), timestamp(updatedAt),
                timestamp(submittedAt), timestamp(finishedAt), timestamp(deliveredAt), timestamp(notifiedAt),
                timestamp(statusSince), version};
    }

    long version() {
        return version;
    }

    boolean changed() {
        return changed;
    }

    /** Written: the row now holds this version. */
    void stored(long version) {
        this.version = version;
        this.changed = false;
    }

    private static <E extends Enum<E>> E named(Class<E> type, String name) {
        return name == null ? null : Enum.valueOf(type, name);
    }

    private static String name(Enum<?> value) {
        return value == null ? null : value.name();
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    private static OffsetDateTime timestamp(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }

    /** A change of status: the one left, the one entered, and how long the job was in the one it left. */
    record Transition(JobStatus from, JobStatus to, java.time.Duration stayed) {
    }

    @SuppressWarnings("unchecked")
    JobState state() {
        if (state != null) {
            return state;
        }
        Map<String, Object> in = MessageCodec.mapper().readValue(input, Map.class);
        List<String> urls = resultUrls == null ? List.of()
                : Arrays.asList(MessageCodec.mapper().readValue(resultUrls, String[].class));
        state = new JobState(new JobId(jobId), new UserId(userId), new ChatId(chatId), model, in, outputType,
                priceMinor, currency, status, holdState, taskId, callbackExpected, urls, reason, detail,
                pollAttempts, nextPollAt, deadlineAt, candidateTaskId);
        return state;
    }

    /** Takes the job's new state; returns the change of status it made, if it made one (not for a new job). */
    Transition apply(JobState s, Instant now) {
        JobStatus before = status;
        Instant enteredBefore = statusSince;
        userId = s.userId().value();
        chatId = s.chatId().value();
        model = s.model();
        if (state == null || !state.input().equals(s.input())) { // the input as read: the column holds it already
            input = MessageCodec.mapper().writeValueAsString(s.input());
        }
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
        state = null; // read again from the columns (the detail is cut to its column's size)
        changed = true;
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
        changed = true;
    }

    /** Where the price came from: the catalog version and, when the user confirmed one, the quote. */
    void priced(String catalogVersion, UUID quoteId) {
        this.catalogVersion = catalogVersion;
        this.quoteId = quoteId;
        changed = true;
    }

    public String catalogVersion() {
        return catalogVersion;
    }

    /** KIE's reported cost of the job's task, in credits (null until KIE reported one). */
    void kieCredits(long credits) {
        if (kieCredits == null || kieCredits != credits) {
            this.kieCredits = credits;
            changed = true;
        }
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
        changed = true;
    }

    void notified(Instant now) {
        notifiedAt = now;
        updatedAt = now;
        changed = true;
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
