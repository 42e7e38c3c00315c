package io.kiepipeline.orchestrator.jobs.core;

import io.kiepipeline.schemas.QuoteOffer;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * A stored quote: the price of one model and input for one user under one catalog version, until it expires. A job
 * made from it holds exactly {@code priceMinor}; a quote serves one job ({@code usedByJob}).
 */
public record Quote(UUID quoteId, long userId, String model, Map<String, Object> input, long priceMinor,
                    String currency, String catalogVersion, Instant createdAt, Instant expiresAt, UUID usedByJob) {
    public Quote {
        input = input == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(input));
    }

    public boolean expiredAt(Instant now) {
        return !now.isBefore(expiresAt);
    }

    public QuoteOffer offer() {
        return new QuoteOffer(quoteId, priceMinor, currency, catalogVersion, expiresAt);
    }
}
