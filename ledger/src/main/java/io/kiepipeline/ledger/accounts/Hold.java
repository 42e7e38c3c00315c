package io.kiepipeline.ledger.accounts;

import io.kiepipeline.ledger.decider.LedgerDecider;
import io.kiepipeline.schemas.HoldId;
import io.kiepipeline.schemas.HoldRejectionReason;
import io.kiepipeline.schemas.JobId;
import io.kiepipeline.schemas.UserId;
import io.kiepipeline.schemas.ReleaseReason;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import java.time.Instant;
import java.util.UUID;

/** A hold on a user's balance for one job. It resolves at most once: captured or released, never both. */
@Entity
@Table(name = "hold")
public class Hold {
    public enum Status {
        PLACED, CAPTURED, RELEASED, REJECTED
    }

    @Id
    @Column(name = "hold_id")
    private UUID holdId;
    @Column(name = "job_id")
    private UUID jobId;
    @Column(name = "user_id")
    private long userId;
    @Column(name = "amount_minor")
    private long amountMinor;
    private String currency;
    @Enumerated(EnumType.STRING)
    private Status status;
    @Enumerated(EnumType.STRING)
    @Column(name = "reject_reason")
    private HoldRejectionReason rejectReason;
    @Enumerated(EnumType.STRING)
    @Column(name = "release_reason")
    private ReleaseReason releaseReason;
    @Column(name = "placed_at")
    private Instant placedAt;
    @Column(name = "resolved_at")
    private Instant resolvedAt;
    @Version
    private long version;

    protected Hold() {
    }

    static Hold placed(UUID holdId, UUID jobId, long userId, long amountMinor, String currency, Instant now) {
        Hold h = new Hold();
        h.holdId = holdId;
        h.jobId = jobId;
        h.userId = userId;
        h.amountMinor = amountMinor;
        h.currency = currency;
        h.status = Status.PLACED;
        h.placedAt = now;
        return h;
    }

    static Hold rejected(UUID holdId, UUID jobId, long userId, long amountMinor, String currency,
                         HoldRejectionReason reason, Instant now) {
        Hold h = placed(holdId, jobId, userId, amountMinor, currency, now);
        h.status = Status.REJECTED;
        h.rejectReason = reason;
        return h;
    }

    void capture(Instant now) {
        requirePlaced();
        status = Status.CAPTURED;
        resolvedAt = now;
    }

    void release(ReleaseReason reason, Instant now) {
        requirePlaced();
        status = Status.RELEASED;
        releaseReason = reason;
        resolvedAt = now;
    }

    private void requirePlaced() {
        if (status != Status.PLACED) {
            throw new IllegalStateException("hold " + holdId + " is " + status + ", not PLACED");
        }
    }

    public UUID holdId() {
        return holdId;
    }

    public UUID jobId() {
        return jobId;
    }

    public long userId() {
        return userId;
    }

    public long amountMinor() {
        return amountMinor;
    }

    public String currency() {
        return currency;
    }

    public Status status() {
        return status;
    }

    /** The hold as the decider sees it. */
    LedgerDecider.HoldView view() {
        return new LedgerDecider.HoldView(new HoldId(holdId), new JobId(jobId), new UserId(userId), amountMinor,
                currency, LedgerDecider.HoldStatus.valueOf(status.name()), rejectReason, releaseReason);
    }

    public HoldRejectionReason rejectReason() {
        return rejectReason;
    }

    public ReleaseReason releaseReason() {
        return releaseReason;
    }
}
