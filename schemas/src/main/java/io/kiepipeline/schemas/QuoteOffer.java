package io.kiepipeline.schemas;

import java.time.Instant;
import java.util.UUID;

/**
 * A price the user may confirm: what a job for this model and input will hold, under which catalog version, until
 * when. The hold of a job made from it equals {@code priceMinor}; a catalog change before confirmation gives a new
 * quote, never a different charge.
 */
public record QuoteOffer(UUID quoteId, long priceMinor, String currency, String catalogVersion, Instant expiresAt) {
}
