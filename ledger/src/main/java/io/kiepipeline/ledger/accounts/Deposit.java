package io.kiepipeline.ledger.accounts;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** A top-up, unique by its reference. */
@Entity
@Table(name = "deposit")
public class Deposit extends Movement {
    @Id
    @Column(name = "deposit_id")
    private UUID depositId;

    protected Deposit() {
    }

    Deposit(UUID depositId, String reference, long userId, long amountMinor, String currency, Instant createdAt) {
        super(reference, userId, amountMinor, currency, createdAt);
        this.depositId = depositId;
    }
}
