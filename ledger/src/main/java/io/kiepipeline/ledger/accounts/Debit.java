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
public class Debit extends Movement {
    @Id
    @Column(name = "debit_id")
    private UUID debitId;

    protected Debit() {
    }

    Debit(UUID debitId, String reference, long userId, long amountMinor, String currency, Instant createdAt) {
        super(reference, userId, amountMinor, currency, createdAt);
        this.debitId = debitId;
    }
}
