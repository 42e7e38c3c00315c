package io.kiepipeline.orchestrator.catalog;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** Read side for the gateway: the models on sale (for users) and every price (for operators). */
@RestController
class CatalogController {
    private final ModelCatalog catalog;

    CatalogController(ModelCatalog catalog) {
        this.catalog = catalog;
    }

    /** The enabled models: what they do, their input, and the lowest price ("from"). */
    @GetMapping("/internal/models")
    List<Map<String, Object>> models() {
        return catalog.all().stream().filter(CatalogModel::enabled).map(m -> {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("id", m.id());
            body.put("title", m.title());
            body.put("description", m.description());
            body.put("category", m.category().name());
            body.put("outputType", m.outputType().name());
            body.put("free", m.free());
            // the price of the default options, when every option that sets the price has a default: what a
            // request that sets none of them (the bot's /generate) is charged; else null (the user must choose)
            Long byDefault = m.free() ? Long.valueOf(0) : m.price().by().stream().allMatch(m.defaults()::containsKey)
                    ? m.price().skuFor(m.defaults()).map(PriceRule.Sku::priceMinor).orElse(null) : null;
            body.put("priceMinor", byDefault != null ? byDefault : m.price().fromMinor());
            body.put("priceDefaultMinor", byDefault);
            body.put("priceFromMinor", m.free() ? 0 : m.price().fromMinor());
            body.put("pricedBy", m.price().by());
            body.put("currency", catalog.currency());
            body.put("typicalSeconds", m.typicalSeconds());
            body.put("inputSchema", m.inputSchema());
            body.put("defaults", m.defaults());
            body.put("example", m.example());
            body.put("fieldLabels", catalog.fieldLabels(m));
            body.put("catalogVersion", catalog.version());
            return body;
        }).toList();
    }

    /** Every model, enabled or not, with the price of every option combination: {@code GET /api/v1/admin/prices}. */
    @GetMapping("/internal/prices")
    Map<String, Object> prices() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("catalogVersion", catalog.version());
        body.put("currency", catalog.currency());
        body.put("models", catalog.all().stream().map(m -> {
            Map<String, Object> model = new LinkedHashMap<>();
            model.put("id", m.id());
            model.put("family", m.family().name());
            model.put("kieModel", m.kieModel());
            model.put("category", m.category().name());
            model.put("enabled", m.enabled());
            model.put("free", m.free());
            model.put("pricedBy", m.price().by());
            model.put("prices", m.price().skus().stream().map(s -> {
                Map<String, Object> sku = new LinkedHashMap<>();
                sku.put("options", s.when());
                sku.put("priceMinor", s.priceMinor());
                sku.put("kieCredits", s.kieCredits());
                sku.put("kieUsd", s.kieUsd() == null ? null : s.kieUsd().toPlainString());
                return sku;
            }).toList());
            model.put("source", m.source());
            return model;
        }).toList());
        return body;
    }
}
