package io.kiepipeline.allinone;

import io.kiepipeline.emulators.KieInputRules;
import io.kiepipeline.orchestrator.catalog.CatalogModel;
import io.kiepipeline.orchestrator.catalog.ModelCatalog;
import io.kiepipeline.orchestrator.catalog.PriceRule;
import io.kiepipeline.schemas.KieApiFamily;
import io.kiepipeline.schemas.MessageCodec;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * Where the catalog would let through an input KIE refuses. For every model on sale it builds the inputs a user can
 * reach (the catalog's example; only the required fields; every priced option combination; every enum value; every
 * string at its longest; every number at its bounds), keeps those the catalog accepts, builds the body the kie-worker
 * sends for each (the defaults filled in, through JSON as on the wire) and asks the emulator's own copy of KIE's rules.
 * Each answer of 422 is a disagreement, named by model and field.
 */
final class CatalogConformance {
    private CatalogConformance() {
    }

    /** The disagreements, and how many inputs the catalog accepted and KIE's rules were asked about. */
    record Result(List<String> disagreements, int inputsChecked, int modelsChecked) {
    }

    static List<String> disagreements(ModelCatalog catalog, KieInputRules rules) {
        return check(catalog, rules).disagreements();
    }

    static Result check(ModelCatalog catalog, KieInputRules rules) {
        List<String> found = new ArrayList<>();
        int inputs = 0;
        int models = 0;
        for (CatalogModel model : catalog.all()) {
            if (!model.enabled()) {
                continue;
            }
            String key = model.family() == KieApiFamily.MARKET ? model.kieModel() : model.family().name();
            if (!rules.knows(key)) {
                found.add(model.id() + ": KIE has no model " + key);
                continue;
            }
            models++;
            for (Map.Entry<String, Map<String, Object>> probe : probes(model).entrySet()) {
                if (!(catalog.check(model.id(), probe.getValue()) instanceof ModelCatalog.Checked.Valid valid)) {
                    continue; // the catalog refuses it before any hold: never sent
                }
                inputs++;
                Optional<String> refused = rules.problem(key, body(model, valid.input()));
                refused.ifPresent(why -> found.add(model.id() + ", " + probe.getKey() + ": the catalog accepts "
                        + valid.input() + ", KIE answers 422 \"" + why + "\""));
            }
        }
        return new Result(found, inputs, models);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> probes(CatalogModel model) {
        Map<String, Map<String, Object>> probes = new LinkedHashMap<>();
        Map<String, Object> example = model.example();
        probes.put("the example", example);
        List<Object> required = (List<Object>) model.inputSchema().getOrDefault("required", List.of());
        Map<String, Object> minimal = new LinkedHashMap<>();
        required.forEach(r -> {
            if (example.containsKey(r)) {
                minimal.put((String) r, example.get(r));
            }
        });
        probes.put("the required fields only", minimal);
        for (PriceRule.Sku sku : model.price().skus()) {
            probes.put("option combination " + sku.when(), with(example, sku.when()));
        }
        Map<String, Object> properties = (Map<String, Object>) model.inputSchema().getOrDefault("properties", Map.of());
        for (Map.Entry<String, Object> p : properties.entrySet()) {
            String field = p.getKey();
            Map<String, Object> schema = (Map<String, Object>) p.getValue();
            for (Object value : (List<Object>) schema.getOrDefault("enum", List.of())) {
                probes.put("field " + field + " = " + value, with(example, Map.of(field, value)));
            }
            if (schema.get("maxLength") instanceof Number max && "string".equals(schema.get("type"))
                    && !String.valueOf(schema.get("format")).equals("uri")) {
                probes.put("field " + field + " at its " + max + " characters",
                        with(example, Map.of(field, "a".repeat(max.intValue()))));
            }
            for (String bound : List.of("minimum", "maximum")) {
                if (schema.get(bound) instanceof Number n) {
                    Object value = "integer".equals(schema.get("type")) ? (Object) n.longValue()
                            : new BigDecimal(n.toString());
                    probes.put("field " + field + " at its " + bound + " " + n, with(example, Map.of(field, value)));
                }
            }
        }
        return probes;
    }

    private static Map<String, Object> with(Map<String, Object> base, Map<String, Object> changes) {
        Map<String, Object> input = new LinkedHashMap<>(base);
        input.putAll(changes);
        return input;
    }

    /** What KIE reads: the jobs API's {@code input}, or an older family's flat body with its {@code model}. */
    private static JsonNode body(CatalogModel model, Map<String, Object> input) {
        Map<String, Object> body = new LinkedHashMap<>(input);
        if (model.family() != KieApiFamily.MARKET && model.kieModel() != null
                && model.family() != KieApiFamily.RUNWAY && model.family() != KieApiFamily.GPT4O_IMAGE) {
            body.put("model", model.kieModel());
        }
        // through JSON text, as on the wire: a whole BigDecimal reads back as KIE reads it
        return MessageCodec.mapper().readTree(MessageCodec.mapper().writeValueAsString(
                model.family() == KieApiFamily.MARKET ? input : body));
    }
}
