package io.kiepipeline.ledger.accounts;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import java.time.Instant;

/**
 * A user's balances, kept equal to the sums of the user's journal accounts (a test recomputes them). Available never
 * goes below zero: a hold that does not fit is refused, not overdrawn.
 */
@Entity
@Table(name = "account")
public class Account {
    @Id
    @Column(name = "user_id")
    private long userId;
    private String currency;
    @Column(name = "available_minor")
    private long availableMinor;
    @Column(name = "held_minor")
    private long heldMinor;
    @Column(name = "captured_minor")
    private long capturedMinor;
    @Column(name = "deposited_minor")
    private long depositedMinor;
    @Column(name = "debited_minor")
    private long debitedMinor;
    @Version
    private long version;
    @Column(name = "updated_at")
    private Instant updatedAt;

    protected Account() {
    }

    public Account(long userId, String currency, Instant now) {
        this.userId = userId;
        this.currency = currency;
        this.updatedAt = now;
    }

    public boolean covers(long amountMinor) {
        return availableMinor >= amountMinor;
    }

    void deposit(long amountMinor, Instant now) {
        availableMinor = Math.addExact(availableMinor, amountMinor);
        depositedMinor = Math.addExact(depositedMinor, amountMinor);
        updatedAt = now;
    }

    /** Money taken off the available balance (the decider checked it is there). */
    void debit(long amountMinor, Instant now) {
        if (amountMinor > availableMinor) {
            throw new IllegalStateException("a debit over the available balance");
        }
        availableMinor = Math.subtractExact(availableMinor, amountMinor);
        debitedMinor = Math.addExact(debitedMinor, amountMinor);
        updatedAt = now;
    }

    void hold(long amountMinor, Instant now) {
        if (!covers(amountMinor)) {
            throw new IllegalStateException("hold does not fit the available balance");
        }
        availableMinor -= amountMinor;
        heldMinor = Math.addExact(heldMinor, amountMinor);
        updatedAt = now;
    }

    void capture(long amountMinor, Instant now) {
        requireHeld(amountMinor);
        heldMinor -= amountMinor;
        capturedMinor = Math.addExact(capturedMinor, amountMinor);
        updatedAt = now;
    }

    void release(long amountMinor, Instant now) {
        requireHeld(amountMinor);
        heldMinor -= amountMinor;
        availableMinor = Math.addExact(availableMinor, amountMinor);
        updatedAt = now;
    }

    private void requireHeld(long amountMinor) {
        if (heldMinor < amountMinor) {
            throw new IllegalStateException("held balance is smaller than the hold: the ledger is corrupt");
        }
    }

    public long userId() {
        return userId;
    }

    public String currency() {
        return currency;
    }

    public long availableMinor() {
        return availableMinor;
    }

    public long heldMinor() {
        return heldMinor;
    }

    public long capturedMinor() {
        return capturedMinor;
    }

    public long depositedMinor() {
        return depositedMinor;
    }

    /** Everything debited: deposited − debited = available + held + captured. */
    public long debitedMinor() {
        return debitedMinor;
    }
}
