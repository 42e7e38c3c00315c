package io.kiepipeline.ledger.accounts;

import jakarta.persistence.Column;
import jakarta.persistence.MappedSuperclass;
import java.time.Instant;

/** Money moved in or out of a user's balance by a reference (a top-up, a debit): each kind its own table and id. */
@MappedSuperclass
abstract class Movement {
    private String reference;
    @Column(name = "user_id")
    private long userId;
    @Column(name = "amount_minor")
    private long amountMinor;
    private String currency;
    @Column(name = "created_at")
    private Instant createdAt;

    protected Movement() {
    }

    Movement(String reference, long userId, long amountMinor, String currency, Instant createdAt) {
        this.reference = reference;
        this.userId = userId;
        this.amountMinor = amountMinor;
        this.currency = currency;
        this.createdAt = createdAt;
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
}
