package io.kiepipeline.orchestrator.catalog;

import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** Read side for the gateway: the models on sale, their prices and input schemas. */
@RestController
class CatalogController {
    private final ModelCatalog catalog;
    private final String currency;

    CatalogController(ModelCatalog catalog, @Value("${pipeline.currency}") String currency) {
        this.catalog = catalog;
        this.currency = currency;
    }

    @GetMapping("/internal/models")
    List<Map<String, Object>> models() {
        return catalog.all().stream().map(m -> Map.<String, Object>of("id", m.id(), "title", m.title(),
                "outputType", m.outputType().name(), "priceMinor", m.priceMinor(), "currency", currency,
                "free", m.isFree(), "inputSchema", m.inputSchema())).toList();
    }
}
