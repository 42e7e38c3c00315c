package io.kiepipeline.ledger.accounts;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** A debit, unique by its reference. */
@Entity
@Table(name = "debit")
public class Debit {
    @Id
    @Column(name = "debit_id")
    private UUID depositId;
    private String reference;
    @Column(name = "user_id")
    private long userId;
    @Column(name = "amount_minor")
    private long amountMinor;
    private String currency;
    @Column(name = "created_at")
    private Instant createdAt;

    protected Debit() {
    }

    Debit(UUID depositId, String reference, long userId, long amountMinor, String currency, Instant createdAt) {
        this.depositId = depositId;
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
