package io.kiepipeline.orchestrator.catalog;

import io.kiepipeline.schemas.OutputType;
import java.util.Map;

/** A model this deployment sells: its KIE id, price and input schema. */
public record CatalogModel(String id, String title, OutputType outputType, long priceMinor,
                           Map<String, Object> inputSchema) {
    public boolean isFree() {
        return priceMinor == 0;
    }
}
