package io.kiepipeline.orchestrator.catalog;

import io.kiepipeline.schemas.KieApiFamily;
import io.kiepipeline.schemas.OutputType;
import java.util.Map;

/**
 * A model this deployment sells, as the catalog file describes it (docs/kie.md, "The catalog").
 *
 * @param id             our id: KIE's model id for the jobs API, a readable id for the variants of other families
 * @param kieModel       KIE's {@code model} field (null for families without one)
 * @param inputSchema    the input as KIE documents it, a JSON Schema (for flat families: the body without
 *                       {@code callBackUrl} and {@code model})
 * @param defaults       what is sent for fields the user did not set: KIE does not apply its documented defaults to
 *                       required fields
 * @param typicalSeconds the usual time to a result; null when KIE does not say
 * @param source         the documentation page the entry was taken from
 */
public record CatalogModel(String id, KieApiFamily family, String kieModel, Category category, OutputType outputType,
                           Localized title, Localized description, Map<String, Object> inputSchema,
                           Map<String, Object> defaults, Map<String, Object> example, PriceRule price, boolean free,
                           boolean enabled, Integer typicalSeconds, String source) {
    public boolean isFree() {
        return free;
    }
}
