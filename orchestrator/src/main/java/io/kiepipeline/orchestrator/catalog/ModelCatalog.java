package io.kiepipeline.orchestrator.catalog;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.kiepipeline.schemas.KieApiFamily;
import io.kiepipeline.schemas.Language;
import io.kiepipeline.schemas.Limits;
import io.kiepipeline.schemas.MessageCodec;
import io.kiepipeline.schemas.OutputType;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import org.springframework.core.io.DefaultResourceLoader;
import org.springframework.core.io.Resource;

/**
 * The model catalog: one versioned file, read and checked once at start (docs/kie.md). Anything wrong in it stops
 * the start with a {@link CatalogException} naming the model and the field: an unknown family or category, a schema
 * that does not compile, an image field that allows other than https, a default or an example the schema refuses, an
 * option combination without a price. It then checks a request's input against the model's schema (strictly:
 * unknown fields are refused), fills in the defaults, and prices the result.
 */
public final class ModelCatalog {
    /** How many values an integer price option may take: beyond this, price it by a coarser field. */
    static final int MAX_OPTION_VALUES = 64;
    private static final int MAX_PROBLEMS = 5;

    private final String version;
    private final String currency;
    private final Map<String, Entry> models;
    private final InputProblems problems;

    private record Entry(CatalogModel model, Schema schema) {
    }

    /** The result of checking a request's input: the input to submit and its price, or why it is refused. */
    public sealed interface Checked {
        record Valid(CatalogModel model, Map<String, Object> input, PriceRule.Sku sku) implements Checked {
            public long priceMinor() {
                return model.free() ? 0 : sku.priceMinor();
            }
        }

        record UnknownModel(String model) implements Checked {
        }

        record Disabled(CatalogModel model) implements Checked {
        }

        record InvalidInput(CatalogModel model, List<InputProblems.Problem> problems, String summary)
                implements Checked {
        }
    }

    /** An admin's switch of a model: on sale or not, free or paid (null: as the catalog file says). */
    public record Switch(Boolean enabled, Boolean free) {
    }

    private volatile Map<String, Switch> switches = Map.of();

    /** The admins' switches, as stored now (they replace the previous ones). */
    public void switchTo(Map<String, Switch> current) {
        this.switches = Map.copyOf(current);
    }

    private CatalogModel switched(CatalogModel m) {
        Switch s = switches.get(m.id());
        if (s == null) {
            return m;
        }
        return new CatalogModel(m.id(), m.family(), m.kieModel(), m.category(), m.outputType(), m.title(),
                m.description(), m.inputSchema(), m.defaults(), m.example(), m.price(),
                s.free() != null ? s.free() : m.free(), s.enabled() != null ? s.enabled() : m.enabled(),
                m.typicalSeconds(), m.source());
    }

    /** An http address prefix taken as https when inputs are checked (the emulated world only), or null. */
    private final String trustedHttpPrefix;

    private ModelCatalog(String version, String currency, Map<String, Entry> models, InputProblems problems) {
        this(version, currency, models, problems, null);
    }

    private ModelCatalog(String version, String currency, Map<String, Entry> models, InputProblems problems,
                         String trustedHttpPrefix) {
        this.version = version;
        this.currency = currency;
        this.models = models;
        this.problems = problems;
        this.trustedHttpPrefix = trustedHttpPrefix;
    }

    /**
     * This catalog, taking input URLs under {@code prefix} (an http address: the embedded run's own
     * {@code PUBLIC_BASE_URL/media/}, where the photos users send are re-hosted) as if they were https. Every URL field
     * allows https only; with the emulators the whole system speaks http on this machine, and nothing else is eased.
     */
    public ModelCatalog trustingHttpUnder(String prefix) {
        if (prefix == null || !prefix.startsWith("http://")) {
            throw new IllegalArgumentException("only an http prefix needs trusting: " + prefix);
        }
        return new ModelCatalog(version, currency, models, problems, prefix);
    }

    private Object asChecked(Object value) {
        if (value instanceof String s && s.startsWith(trustedHttpPrefix)
                && s.substring(trustedHttpPrefix.length()).matches("[A-Za-z0-9_-]{43}(\\.(jpg|jpeg|png|webp|gif))?")) {
            return "https://" + s.substring("http://".length());
        }
        if (value instanceof List<?> list) {
            return list.stream().map(this::asChecked).toList();
        }
        return value;
    }

    /** Reads the catalog at a Spring resource location: {@code classpath:catalog/models.json}, {@code file:/etc/...}. */
    public static ModelCatalog load(String location) {
        Resource resource = new DefaultResourceLoader().getResource(location);
        if (!resource.exists()) {
            throw new CatalogException(null, "(file)", "no catalog at " + location);
        }
        try (InputStream in = resource.getInputStream()) {
            return parse(MessageCodec.mapper().readTree(in));
        } catch (JacksonException e) {
            throw new CatalogException(null, "(file)", location + " is not JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new CatalogException(null, "(file)", "cannot read " + location + ": " + e.getMessage());
        }
    }

    public static ModelCatalog parse(JsonNode root) {
        if (root == null || !root.isObject()) {
            throw new CatalogException(null, "(root)", "the catalog is a JSON object");
        }
        knownFields(root, null, "", ROOT_FIELDS);
        String declared = text(root, null, "version");
        if (declared.length() > 64) {
            throw new CatalogException(null, "version", "at most 64 characters");
        }
        // The declared version plus a digest of the content: a file edited without a new version is still another
        // catalog, so a quote made under the old one is re-quoted instead of honoured at a price that changed.
        String version = declared + "+" + digest(root.toString());
        String currency = text(root, null, "currency");
        if (!currency.matches("[A-Z]{3}")) {
            throw new CatalogException(null, "currency", "an ISO 4217 code such as RUB, not " + currency);
        }
        InputProblems problems = InputProblems.from(root.get("fieldLabels"));
        JsonNode list = root.get("models");
        if (list == null || !list.isArray() || list.isEmpty()) {
            throw new CatalogException(null, "models", "a non-empty array of models");
        }
        SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
        Schema metaSchema = registry.getSchema(SchemaLocation.of("https://json-schema.org/draft/2020-12/schema"));
        Map<String, Entry> models = new LinkedHashMap<>();
        int index = 0;
        for (JsonNode m : list) {
            String where = "#" + index++;
            if (!m.isObject()) {
                throw new CatalogException(where, "(model)", "each model is a JSON object");
            }
            String id = text(m, where, "id");
            if (id.length() > Limits.MODEL_ID) {
                throw new CatalogException(id, "id", "at most " + Limits.MODEL_ID + " characters");
            }
            if (models.containsKey(id)) {
                throw new CatalogException(id, "id", "listed twice");
            }
            Entry entry = model(id, m, registry, metaSchema);
            models.put(id, entry);
        }
        return new ModelCatalog(version, currency, models, problems);
    }

    private static final Set<String> ROOT_FIELDS = Set.of("comment", "version", "currency", "fieldLabels", "models");
    private static final Set<String> MODEL_FIELDS = Set.of("id", "family", "kieModel", "category", "outputType",
            "title", "description", "free", "enabled", "typicalSeconds", "source", "inputSchema", "defaults",
            "example", "price", "notes");
    private static final Set<String> SKU_FIELDS = Set.of("when", "priceMinor", "kieCredits", "kieUsd",
            "kieUsdBasis");

    /** A misspelt field ("enbled") is refused, not ignored: it would silently mean the default. */
    private static void knownFields(JsonNode node, String model, String where, Set<String> known) {
        for (String name : node.propertyNames()) {
            if (!known.contains(name)) {
                throw new CatalogException(model, where.isEmpty() ? name : where + "." + name,
                        "not a catalog field (known: " + new java.util.TreeSet<>(known) + ")");
            }
        }
    }

    private static Entry model(String id, JsonNode m, SchemaRegistry registry, Schema metaSchema) {
        knownFields(m, id, "", MODEL_FIELDS);
        KieApiFamily family = enumValue(m, id, "family", KieApiFamily.class);
        String kieModel = optionalText(m, id, "kieModel");
        if (kieModel == null && (family == KieApiFamily.MARKET || family == KieApiFamily.VEO
                || family == KieApiFamily.FLUX_KONTEXT || family == KieApiFamily.SUNO)) {
            throw new CatalogException(id, "kieModel", "required for the " + family + " family");
        }
        Category category = enumValue(m, id, "category", Category.class);
        OutputType outputType = enumValue(m, id, "outputType", OutputType.class);
        Localized title = localized(m, id, "title");
        Localized description = localized(m, id, "description");
        String source = text(m, id, "source");
        if (!source.startsWith("https://")) {
            throw new CatalogException(id, "source", "the https address of the documentation page");
        }
        boolean free = bool(m, id, "free");
        boolean enabled = bool(m, id, "enabled");
        Integer typicalSeconds = null;
        if (m.has("typicalSeconds")) {
            JsonNode t = m.get("typicalSeconds");
            if (!t.isIntegralNumber() || t.asLong() <= 0 || t.asLong() > 86_400) {
                throw new CatalogException(id, "typicalSeconds", "a whole number of seconds, 1 to 86400");
            }
            typicalSeconds = t.asInt();
        }

        JsonNode schemaNode = m.get("inputSchema");
        if (schemaNode == null || !schemaNode.isObject()) {
            throw new CatalogException(id, "inputSchema", "a JSON Schema object");
        }
        List<Error> metaErrors = metaSchema.validate(schemaNode);
        if (!metaErrors.isEmpty()) {
            throw new CatalogException(id, "inputSchema", "not a valid JSON Schema: " + metaErrors.getFirst());
        }
        if (!"object".equals(schemaNode.path("type").asString(""))) {
            throw new CatalogException(id, "inputSchema.type", "must be \"object\"");
        }
        if (!schemaNode.path("additionalProperties").isBoolean()
                || schemaNode.path("additionalProperties").asBoolean()) {
            throw new CatalogException(id, "inputSchema.additionalProperties",
                    "must be false: a field KIE does not know is refused, not sent");
        }
        JsonNode properties = schemaNode.get("properties");
        if (properties == null || !properties.isObject() || properties.isEmpty()) {
            throw new CatalogException(id, "inputSchema.properties", "the model's fields");
        }
        for (JsonNode required : schemaNode.path("required")) {
            if (!properties.has(required.asString())) {
                throw new CatalogException(id, "inputSchema.required",
                        required.asString() + " is required but not among the properties");
            }
        }
        properties.properties().forEach(p -> httpsOnly(id, "inputSchema.properties." + p.getKey(), p.getValue()));
        Schema schema;
        try {
            schema = registry.getSchema(schemaNode);
            schema.initializeValidators();
        } catch (RuntimeException e) {
            throw new CatalogException(id, "inputSchema", "does not compile: " + e.getMessage());
        }

        Map<String, Object> defaults = objectMap(m, id, "defaults");
        for (var d : defaults.entrySet()) {
            if (!properties.has(d.getKey())) {
                throw new CatalogException(id, "defaults." + d.getKey(), "not a field of the model");
            }
            JsonNode documented = properties.get(d.getKey()).get("default");
            if (documented != null && !documented.equals(MessageCodec.mapper().valueToTree(d.getValue()))) {
                throw new CatalogException(id, "defaults." + d.getKey(), "differs from the schema's default "
                        + documented);
            }
        }
        properties.properties().forEach(p -> {
            if (p.getValue().has("default") && !defaults.containsKey(p.getKey())) {
                throw new CatalogException(id, "defaults." + p.getKey(), "the schema documents a default ("
                        + p.getValue().get("default") + ") that defaults does not send");
            }
        });
        Map<String, Object> example = objectMap(m, id, "example");
        if (example.isEmpty()) {
            throw new CatalogException(id, "example", "a complete example input");
        }
        Map<String, Object> filledExample = new LinkedHashMap<>(defaults);
        filledExample.putAll(example);
        List<Error> exampleErrors = validate(schema, filledExample);
        if (!exampleErrors.isEmpty()) {
            throw new CatalogException(id, "example", "the schema refuses it: " + exampleErrors.getFirst());
        }
        // what a user who sets only the required fields gets: the defaults must make a valid input with them
        Map<String, Object> filledDefaults = new LinkedHashMap<>(defaults);
        schemaNode.path("required").forEach(r -> {
            if (example.containsKey(r.asString())) {
                filledDefaults.putIfAbsent(r.asString(), example.get(r.asString()));
            }
        });
        List<Error> defaultErrors = validate(schema, filledDefaults);
        if (!defaultErrors.isEmpty()) {
            throw new CatalogException(id, "defaults", "the schema refuses them: " + defaultErrors.getFirst());
        }

        PriceRule price = price(id, m.get("price"), schemaNode, defaults, free, schema, filledExample);
        if (price.skuFor(filledExample).isEmpty()) {
            throw new CatalogException(id, "price", "the example has no price");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> schemaMap = MessageCodec.mapper().convertValue(schemaNode, Map.class);
        CatalogModel model = new CatalogModel(id, family, kieModel, category, outputType, title, description,
                java.util.Collections.unmodifiableMap(schemaMap), java.util.Collections.unmodifiableMap(defaults),
                java.util.Collections.unmodifiableMap(example), price, free, enabled, typicalSeconds, source);
        return new Entry(model, schema);
    }

    /** Every URL field allows https only: KIE fetches inputs from the internet, and a user's http link is refused. */
    private static void httpsOnly(String id, String field, JsonNode property) {
        JsonNode items = property.get("items");
        if (items != null && items.isObject()) {
            httpsOnly(id, field + ".items", items);
        }
        if ("uri".equals(property.path("format").asString(""))
                && !property.path("pattern").asString("").startsWith("^https://")) {
            throw new CatalogException(id, field, "a URL field needs \"pattern\": \"^https://\"");
        }
    }

    private static PriceRule price(String id, JsonNode node, JsonNode schema, Map<String, Object> defaults,
                                   boolean free, Schema compiled, Map<String, Object> example) {
        if (node == null || !node.isObject()) {
            throw new CatalogException(id, "price", "an object {by, skus}");
        }
        JsonNode byNode = node.get("by");
        if (byNode == null || !byNode.isArray()) {
            throw new CatalogException(id, "price.by", "a list of the fields that change the price ([] for one price)");
        }
        List<String> by = new ArrayList<>();
        List<List<Object>> domains = new ArrayList<>();
        for (JsonNode f : byNode) {
            String field = f.asString("");
            JsonNode property = schema.path("properties").get(field);
            if (property == null) {
                throw new CatalogException(id, "price.by", field + " is not a field of the model");
            }
            if (by.contains(field)) {
                throw new CatalogException(id, "price.by", field + " is listed twice");
            }
            by.add(field);
            domains.add(domain(id, field, property));
        }
        JsonNode skusNode = node.get("skus");
        if (skusNode == null || !skusNode.isArray() || skusNode.isEmpty()) {
            throw new CatalogException(id, "price.skus", "one price per combination of " + by);
        }
        List<PriceRule.Sku> skus = new ArrayList<>();
        Set<List<String>> seen = new HashSet<>();
        int i = 0;
        for (JsonNode s : skusNode) {
            String field = "price.skus[" + i++ + "]";
            knownFields(s, id, field, SKU_FIELDS);
            JsonNode when = s.get("when");
            if (when == null || !when.isObject()) {
                throw new CatalogException(id, field + ".when", "an object of the " + by + " values");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> values = MessageCodec.mapper().convertValue(when, Map.class);
            if (!values.keySet().equals(new HashSet<>(by))) {
                throw new CatalogException(id, field + ".when", "must name exactly " + by + ", not "
                        + values.keySet());
            }
            for (int d = 0; d < by.size(); d++) {
                Object v = values.get(by.get(d));
                String json = MessageCodec.mapper().valueToTree(v).toString();
                if (domains.get(d).stream().noneMatch(x -> MessageCodec.mapper().valueToTree(x).toString()
                        .equals(json))) {
                    throw new CatalogException(id, field + ".when." + by.get(d), json + " is not a value the schema "
                            + "allows");
                }
            }
            if (!seen.add(PriceRule.keyOf(by, values))) {
                throw new CatalogException(id, field, "the combination " + when + " is priced twice");
            }
            JsonNode price = s.get("priceMinor");
            if (price == null || !price.isIntegralNumber() || price.asLong() < 0) {
                throw new CatalogException(id, field + ".priceMinor", "a whole number of minor units, 0 or more");
            }
            if (free != (price.asLong() == 0)) {
                throw new CatalogException(id, field + ".priceMinor", free ? "a free model costs 0"
                        : "a paid model costs more than 0 (set \"free\": true for a free one)");
            }
            JsonNode credits = s.get("kieCredits");
            if (credits != null && (!credits.isNumber() || credits.decimalValue().signum() < 0)) {
                throw new CatalogException(id, field + ".kieCredits", "KIE's documented credits, a number");
            }
            java.math.BigDecimal usd = null;
            if (s.has("kieUsd")) {
                try {
                    usd = new java.math.BigDecimal(s.get("kieUsd").asString(""));
                } catch (NumberFormatException e) {
                    throw new CatalogException(id, field + ".kieUsd", "KIE's list price in US dollars, as a decimal "
                            + "string such as \"0.275\"");
                }
            }
            skus.add(new PriceRule.Sku(values, price.asLong(), credits == null ? null : credits.decimalValue(), usd));
        }
        // every combination of the domains must have a price
        List<Map<String, Object>> combinations = new ArrayList<>();
        combinations.add(new LinkedHashMap<>());
        for (int d = 0; d < by.size(); d++) {
            List<Map<String, Object>> next = new ArrayList<>();
            for (Map<String, Object> c : combinations) {
                for (Object v : domains.get(d)) {
                    Map<String, Object> more = new LinkedHashMap<>(c);
                    more.put(by.get(d), v);
                    next.add(more);
                }
            }
            combinations = next;
        }
        for (Map<String, Object> c : combinations) {
            Map<String, Object> input = new LinkedHashMap<>(example);
            input.putAll(c);
            // a combination the schema itself refuses (KIE: "1080P is not available for 10 s") needs no price
            if (!seen.contains(PriceRule.keyOf(by, c)) && validate(compiled, input).isEmpty()) {
                throw new CatalogException(id, "price.skus", "no price for " + MessageCodec.mapper()
                        .valueToTree(c));
            }
        }
        return new PriceRule(by, skus);
    }

    /** The values a price option can take: an enum, a boolean, a const, or a small integer range. */
    private static List<Object> domain(String id, String field, JsonNode property) {
        List<Object> values = new ArrayList<>();
        if (property.has("enum")) {
            property.get("enum").forEach(v -> values.add(MessageCodec.mapper().convertValue(v, Object.class)));
        } else if (property.has("const")) {
            values.add(MessageCodec.mapper().convertValue(property.get("const"), Object.class));
        } else if ("boolean".equals(property.path("type").asString(""))) {
            values.add(true);
            values.add(false);
        } else if ("integer".equals(property.path("type").asString("")) && property.has("minimum")
                && property.has("maximum")
                && property.get("maximum").asLong() - property.get("minimum").asLong() < MAX_OPTION_VALUES) {
            for (long v = property.get("minimum").asLong(); v <= property.get("maximum").asLong(); v++) {
                values.add((int) v);
            }
        } else {
            throw new CatalogException(id, "price.by", field + " has no small set of values (an enum, a boolean, "
                    + "or an integer with minimum and maximum at most " + MAX_OPTION_VALUES + " apart)");
        }
        return values;
    }

    public String version() {
        return version;
    }

    public String currency() {
        return currency;
    }

    /** The labels of this model's input fields, in both languages: what the bot asks the user for. */
    public Map<String, Localized> fieldLabels(CatalogModel model) {
        Map<String, Localized> out = new java.util.LinkedHashMap<>();
        Object properties = model.inputSchema().get("properties");
        if (properties instanceof Map<?, ?> fields) {
            fields.keySet().forEach(f -> {
                Localized label = problems.labels().get(String.valueOf(f));
                if (label != null) {
                    out.put(String.valueOf(f), label);
                }
            });
        }
        return out;
    }

    public List<CatalogModel> all() {
        return models.values().stream().map(e -> switched(e.model())).toList();
    }

    public Optional<CatalogModel> find(String id) {
        return Optional.ofNullable(models.get(id)).map(e -> switched(e.model()));
    }

    /** Checks an input in English. */
    public Checked check(String modelId, Map<String, Object> input) {
        return check(modelId, input, Language.EN);
    }

    /**
     * Checks a request's input against the model's schema after filling in the defaults, and prices it. A refusal
     * names each field in the user's language.
     */
    public Checked check(String modelId, Map<String, Object> input, Language language) {
        Entry stored = models.get(modelId);
        if (stored == null) {
            return new Checked.UnknownModel(modelId);
        }
        // an admin's switch (on sale or not, free or paid) counts from now on
        Entry entry = new Entry(switched(stored.model()), stored.schema());
        if (!entry.model().enabled()) {
            return new Checked.Disabled(entry.model());
        }
        Map<String, Object> filled = new LinkedHashMap<>(entry.model().defaults());
        filled.putAll(input == null ? Map.of() : input);
        Map<String, Object> checked = filled;
        if (trustedHttpPrefix != null) {
            checked = new LinkedHashMap<>();
            for (Map.Entry<String, Object> e : filled.entrySet()) {
                checked.put(e.getKey(), asChecked(e.getValue()));
            }
        }
        List<Error> errors = validate(entry.schema(), checked);
        if (!errors.isEmpty()) {
            // The validator says one thing per bad field: a request with thousands of unknown fields must not become
            // a rejection of megabytes. The first few problems say enough.
            List<InputProblems.Problem> found = new ArrayList<>();
            for (Error e : errors.subList(0, Math.min(errors.size(), MAX_PROBLEMS))) {
                found.add(problems.describe(e, language));
            }
            List<String> texts = new ArrayList<>(found.stream().map(InputProblems.Problem::message).toList());
            if (errors.size() > MAX_PROBLEMS) {
                texts.add(language == Language.RU ? "и ещё " + (errors.size() - MAX_PROBLEMS) + " ошибок"
                        : "and " + (errors.size() - MAX_PROBLEMS) + " more problems");
            }
            return new Checked.InvalidInput(entry.model(), found, String.join("; ", texts));
        }
        List<InputProblems.Problem> unpriced = new ArrayList<>();
        for (String field : entry.model().price().by()) {
            if (!filled.containsKey(field)) {
                // optional at KIE, without a documented default, yet it sets the price: the user chooses it
                unpriced.add(problems.pricedFieldMissing(field, language));
            }
        }
        if (!unpriced.isEmpty()) {
            return new Checked.InvalidInput(entry.model(), unpriced, String.join("; ",
                    unpriced.stream().map(InputProblems.Problem::message).toList()));
        }
        java.util.Optional<PriceRule.Sku> sku = entry.model().price().skuFor(filled);
        if (sku.isEmpty()) {
            // the loader prices every combination the schema allows; refused, never thrown, should one slip through
            String options = String.join(", ", entry.model().price().by());
            return new Checked.InvalidInput(entry.model(), List.of(new InputProblems.Problem(options,
                    language == Language.RU ? "для этого сочетания настроек (" + options + ") нет цены"
                            : "this combination of " + options + " has no price")),
                    language == Language.RU ? "для этого сочетания настроек нет цены"
                            : "this combination of options has no price");
        }
        return new Checked.Valid(entry.model(), integral(filled), sku.get());
    }

    /** A whole number written as a decimal ({@code 5.0}) is sent as the integer KIE's schema asks for. */
    private static Map<String, Object> integral(Map<String, Object> input) {
        Map<String, Object> out = new LinkedHashMap<>(input);
        out.replaceAll((k, v) -> {
            if ((v instanceof Double || v instanceof Float || v instanceof java.math.BigDecimal)) {
                java.math.BigDecimal d = new java.math.BigDecimal(v.toString());
                if (d.signum() == 0 || d.stripTrailingZeros().scale() <= 0) {
                    try {
                        return d.longValueExact();
                    } catch (ArithmeticException e) {
                        return v;
                    }
                }
            }
            return v;
        });
        return out;
    }

    private static String digest(String content) {
        try {
            byte[] hash = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(content.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(hash, 0, 4);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<Error> validate(Schema schema, Map<String, Object> input) {
        JsonNode node = MessageCodec.mapper().valueToTree(input);
        return schema.validate(node, ctx -> ctx.executionConfig(cfg -> cfg.formatAssertionsEnabled(true)));
    }

    private static String text(JsonNode node, String model, String field) {
        String value = optionalText(node, model, field);
        if (value == null) {
            throw new CatalogException(model, field, "required");
        }
        return value;
    }

    private static String optionalText(JsonNode node, String model, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isString() || v.asString().isBlank()) {
            throw new CatalogException(model, field, "a non-empty string");
        }
        return v.asString();
    }

    private static boolean bool(JsonNode node, String model, String field) {
        JsonNode v = node.get(field);
        if (v == null || !v.isBoolean()) {
            throw new CatalogException(model, field, "true or false");
        }
        return v.asBoolean();
    }

    private static Localized localized(JsonNode node, String model, String field) {
        JsonNode v = node.get(field);
        if (v == null || !v.isObject()) {
            throw new CatalogException(model, field, "an object {\"en\": ..., \"ru\": ...}");
        }
        String en = optionalText(v, model, "en");
        String ru = optionalText(v, model, "ru");
        if (en == null || ru == null) {
            throw new CatalogException(model, field + (en == null ? ".en" : ".ru"), "required");
        }
        return new Localized(en, ru);
    }

    private static Map<String, Object> objectMap(JsonNode node, String model, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return new LinkedHashMap<>();
        }
        if (!v.isObject()) {
            throw new CatalogException(model, field, "a JSON object");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> map = MessageCodec.mapper().convertValue(v, LinkedHashMap.class);
        return map;
    }

    private static <E extends Enum<E>> E enumValue(JsonNode node, String model, String field, Class<E> type) {
        String v = text(node, model, field);
        try {
            return Enum.valueOf(type, v);
        } catch (IllegalArgumentException e) {
            throw new CatalogException(model, field, v + " is not one of " + java.util.Arrays.toString(
                    type.getEnumConstants()));
        }
    }
}
