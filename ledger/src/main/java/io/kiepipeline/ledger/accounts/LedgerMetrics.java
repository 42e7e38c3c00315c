package io.kiepipeline.ledger.accounts;

import io.kiepipeline.platform.metrics.AfterCommit;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * The ledger's meters (docs/operations.md, Metrics), moved once the change committed:
 * {@code pipeline_ledger_holds_total{event}} and {@code pipeline_ledger_hold_amount_minor_total{event,currency}}
 * for holds placed, rejected, captured and released; {@code pipeline_ledger_movements_total{kind}} and
 * {@code pipeline_ledger_movement_amount_minor_total{kind,currency}} for deposits and debits. Amounts are integer
 * minor units, counted as a Prometheus counter (a double: exact up to 2^53 minor units).
 */
@Component
class LedgerMetrics {
    private final MeterRegistry registry;

    LedgerMetrics(MeterRegistry registry, @org.springframework.beans.factory.annotation.Value(
            "${pipeline.currency}") String currency) {
        this.registry = registry;
        // every series exists from the start at 0: a rate over it is 0 rather than no data
        for (String event : List.of("placed", "rejected", "captured", "released")) {
            holds(event);
            holdAmount(event, currency);
        }
        for (String kind : List.of("deposit", "debit")) {
            movements(kind);
            movementAmount(kind, currency);
        }
    }

    void hold(String event, long amountMinor, String currency) {
        AfterCommit.run(() -> {
            holds(event).increment();
            holdAmount(event, currency).increment(amountMinor);
        });
    }

    void movement(String kind, long amountMinor, String currency) {
        AfterCommit.run(() -> {
            movements(kind).increment();
            movementAmount(kind, currency).increment(amountMinor);
        });
    }

    private Counter holds(String event) {
        return Counter.builder("pipeline.ledger.holds").tag("event", event)
                .description("holds by what happened to them").register(registry);
    }

    private Counter holdAmount(String event, String currency) {
        return Counter.builder("pipeline.ledger.hold.amount.minor").tag("event", event).tag("currency", currency)
                .description("money in holds by what happened to them, in minor units").register(registry);
    }

    private Counter movements(String kind) {
        return Counter.builder("pipeline.ledger.movements").tag("kind", kind)
                .description("deposits and debits applied").register(registry);
    }

    private Counter movementAmount(String kind, String currency) {
        return Counter.builder("pipeline.ledger.movement.amount.minor").tag("kind", kind).tag("currency", currency)
                .description("money deposited and debited, in minor units").register(registry);
    }
}
