package io.kiepipeline.orchestrator.catalog;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Shared by the catalog's and the intake's tests. */
public final class ModelCatalogTestSupport {
    private ModelCatalogTestSupport() {
    }

    /** Every combination of a model's price options, from its schema. */
    @SuppressWarnings("unchecked")
    public static List<Map<String, Object>> combinationsOf(CatalogModel m) {
        List<Map<String, Object>> out = new ArrayList<>();
        out.add(new LinkedHashMap<>());
        Map<String, Object> properties = (Map<String, Object>) m.inputSchema().get("properties");
        for (String field : m.price().by()) {
            Map<String, Object> p = (Map<String, Object>) properties.get(field);
            List<Object> values = new ArrayList<>();
            if (p.containsKey("enum")) {
                values.addAll((List<Object>) p.get("enum"));
            } else if ("boolean".equals(p.get("type"))) {
                values.addAll(List.of(true, false));
            } else {
                for (long v = ((Number) p.get("minimum")).longValue(); v <= ((Number) p.get("maximum")).longValue();
                     v++) {
                    values.add((int) v);
                }
            }
            List<Map<String, Object>> next = new ArrayList<>();
            for (Map<String, Object> c : out) {
                for (Object v : values) {
                    Map<String, Object> more = new LinkedHashMap<>(c);
                    more.put(field, v);
                    next.add(more);
                }
            }
            out = next;
        }
        return out;
    }
}
