package io.kiepipeline.orchestrator.catalog;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.kiepipeline.schemas.MessageCodec;
import io.kiepipeline.schemas.OutputType;
import java.io.IOException;
import java.io.InputStream;
import io.kiepipeline.schemas.Limits;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * The model catalog, read once from {@code catalog/models.json}. It validates a request's input against the model's
 * JSON Schema (strictly: unknown fields are refused) and fills in the documented defaults, which KIE itself does not
 * apply to required fields.
 */
public final class ModelCatalog {
    private final Map<String, Entry> models;

    private record Entry(CatalogModel model, Schema schema, Map<String, Object> defaults) {
    }

    /** The result of checking a request's input: the input to submit, or why it is refused. */
    public sealed interface Checked {
        record Valid(CatalogModel model, Map<String, Object> input) implements Checked {
        }

        record UnknownModel(String model) implements Checked {
        }

        record InvalidInput(CatalogModel model, String problems) implements Checked {
        }
    }

    private ModelCatalog(Map<String, Entry> models) {
        this.models = models;
    }

    public static ModelCatalog fromClasspath(String resource) {
        try (InputStream in = ModelCatalog.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("no catalog at " + resource);
            }
            return parse(MessageCodec.mapper().readTree(in));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read catalog " + resource, e);
        }
    }

    @SuppressWarnings("unchecked")
    static ModelCatalog parse(JsonNode root) {
        SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
        Map<String, Entry> models = new LinkedHashMap<>();
        for (JsonNode m : root.get("models")) {
            JsonNode schemaNode = m.get("inputSchema");
            Map<String, Object> schemaMap = MessageCodec.mapper().convertValue(schemaNode, Map.class);
            CatalogModel model = new CatalogModel(m.get("id").asString(), m.get("title").asString(),
                    OutputType.valueOf(m.get("outputType").asString()), m.get("priceMinor").asLong(), schemaMap);
            if (model.priceMinor() < 0) {
                throw new IllegalStateException("negative price for " + model.id());
            }
            Map<String, Object> defaults = new LinkedHashMap<>();
            JsonNode props = schemaNode.get("properties");
            if (props != null) {
                props.properties().forEach(p -> {
                    if (p.getValue().has("default")) {
                        defaults.put(p.getKey(), MessageCodec.mapper().convertValue(p.getValue().get("default"),
                                Object.class));
                    }
                });
            }
            models.put(model.id(), new Entry(model, registry.getSchema(schemaNode), defaults));
        }
        return new ModelCatalog(models);
    }

    public List<CatalogModel> all() {
        return models.values().stream().map(Entry::model).toList();
    }

    public Optional<CatalogModel> find(String id) {
        return Optional.ofNullable(models.get(id)).map(Entry::model);
    }

    private static final int MAX_PROBLEMS = 5;

    public Checked check(String modelId, Map<String, Object> input) {
        Entry entry = models.get(modelId);
        if (entry == null) {
            return new Checked.UnknownModel(modelId);
        }
        Map<String, Object> filled = new LinkedHashMap<>(entry.defaults());
        filled.putAll(input == null ? Map.of() : input);
        JsonNode node = MessageCodec.mapper().valueToTree(filled);
        List<Error> errors = entry.schema().validate(node,
                ctx -> ctx.executionConfig(cfg -> cfg.formatAssertionsEnabled(true)));
        if (!errors.isEmpty()) {
            // The validator says one thing per bad field: a request with thousands of unknown fields must not become
            // a rejection of megabytes. The first few problems say enough.
            List<String> problems = new ArrayList<>();
            for (Error e : errors.subList(0, Math.min(errors.size(), MAX_PROBLEMS))) {
                String where = String.valueOf(e.getInstanceLocation()).replaceFirst("^\\$\\.?", "");
                problems.add(Limits.cap(where.isEmpty() ? e.getMessage() : where + ": " + e.getMessage(), 200));
            }
            if (errors.size() > MAX_PROBLEMS) {
                problems.add("and " + (errors.size() - MAX_PROBLEMS) + " more problems");
            }
            return new Checked.InvalidInput(entry.model(), String.join("; ", problems));
        }
        return new Checked.Valid(entry.model(), filled);
    }
}
