package io.kiepipeline.orchestrator.catalog;

import io.kiepipeline.schemas.MessageCodec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A model's prices: {@code by} names the input fields that change what KIE charges (duration, resolution, sound,
 * number of images, variant...), and there is one SKU for every combination of their values. The catalog loader
 * refuses a rule that misses a combination, so every valid input has a price.
 */
public final class PriceRule {
    /**
     * One combination and its price. {@code kieCredits} and {@code kieUsd}: what KIE charges for it, in credits and
     * in US dollars at its list price, where KIE documents it (null when not documented).
     */
    public record Sku(Map<String, Object> when, long priceMinor, java.math.BigDecimal kieCredits,
                      java.math.BigDecimal kieUsd) {
        public Sku {
            when = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(when));
        }
    }

    private final List<String> by;
    private final List<Sku> skus;
    /** The SKUs by the canonical key of their combination: built once, looked up for every request. */
    private final Map<List<String>, Sku> byKey = new java.util.HashMap<>();

    public PriceRule(List<String> by, List<Sku> skus) {
        this.by = List.copyOf(by);
        this.skus = List.copyOf(skus);
        for (Sku sku : this.skus) {
            byKey.putIfAbsent(keyOf(this.by, sku.when()), sku);
        }
    }

    public List<String> by() {
        return by;
    }

    public List<Sku> skus() {
        return skus;
    }

    /** The SKU of a complete input (defaults filled in); empty only for an input the rule does not cover. */
    public Optional<Sku> skuFor(Map<String, Object> input) {
        return Optional.ofNullable(byKey.get(keyOf(by, input)));
    }

    /** The lowest price: "from N" on a model's card. */
    public long fromMinor() {
        return skus.stream().mapToLong(Sku::priceMinor).min().orElse(0);
    }

    /**
     * The values of the {@code by} fields as canonical texts: a number by its value ({@code 5}, {@code 5L} and
     * {@code 5.0} are one, as JSON Schema counts them), anything else as JSON (so {@code "5"} differs from {@code 5}).
     */
    static List<String> keyOf(List<String> by, Map<String, Object> values) {
        List<String> key = new ArrayList<>(by.size());
        for (String field : by) {
            Object v = values.get(field);
            key.add(v instanceof Number n ? "#" + new java.math.BigDecimal(n.toString()).stripTrailingZeros()
                    .toPlainString() : MessageCodec.mapper().valueToTree(v).toString());
        }
        return key;
    }
}
