package io.kiepipeline.emulators;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * What KIE accepts as the input of each model (jobs API, by model id) and of each older family (Veo, Runway, 4o Image,
 * Flux Kontext, Suno: the flat body without {@code callBackUrl}), so that the emulator answers 422 where KIE would.
 *
 * <p>The rules ({@code kie/model-rules.json}) were transcribed from KIE's documentation <em>independently of the
 * catalog</em> the orchestrator sells from: were the emulator to read the catalog, a wrong catalog entry would be
 * accepted by both and the tests would prove nothing. Per field: type, enum, string length, item count, numeric range,
 * and whether it is a URL; fields the rules do not name are ignored (KIE's pages do not say they are refused). The
 * rules KIE states across fields are the code in {@link #crossField}.
 */
public final class KieInputRules {
    private static final String RESOURCE = "kie/model-rules.json";

    private record Field(String type, List<JsonNode> allowed, Integer minLength, Integer maxLength, Integer minItems,
                         Integer maxItems, BigDecimal minimum, BigDecimal maximum, boolean url) {
    }

    private record Rules(List<String> required, Map<String, Field> fields) {
    }

    private final Map<String, Rules> byKey;

    private KieInputRules(Map<String, Rules> byKey) {
        this.byKey = byKey;
    }

    /** The emulator's own rules, from its classpath. */
    public static KieInputRules load() {
        try (InputStream in = KieInputRules.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("no " + RESOURCE + " on the classpath");
            }
            return parse(Http.JSON.readTree(in));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + RESOURCE, e);
        }
    }

    static KieInputRules parse(JsonNode root) {
        Map<String, Rules> rules = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> model : root.properties()) {
            if (model.getKey().startsWith("_") || model.getKey().equals("comment")) {
                continue;
            }
            List<String> required = new ArrayList<>();
            model.getValue().path("required").forEach(r -> required.add(r.asString()));
            Map<String, Field> fields = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> f : model.getValue().path("fields").properties()) {
                JsonNode n = f.getValue();
                List<JsonNode> allowed = null;
                if (n.has("enum")) {
                    allowed = new ArrayList<>();
                    n.get("enum").forEach(allowed::add);
                }
                fields.put(f.getKey(), new Field(n.has("type") ? n.get("type").asString() : null, allowed,
                        integer(n, "minLength"), integer(n, "maxLength"), integer(n, "minItems"),
                        integer(n, "maxItems"), n.has("minimum") ? n.get("minimum").decimalValue() : null,
                        n.has("maximum") ? n.get("maximum").decimalValue() : null, n.path("url").asBoolean(false)));
            }
            rules.put(model.getKey(), new Rules(List.copyOf(required), fields));
        }
        return new KieInputRules(Map.copyOf(rules));
    }

    private static Integer integer(JsonNode n, String name) {
        return n.has(name) ? n.get(name).asInt() : null;
    }

    /** The models (jobs API) and families this copy of KIE's rules knows. */
    public Set<String> keys() {
        return byKey.keySet();
    }

    public boolean knows(String key) {
        return byKey.containsKey(key);
    }

    /**
     * Why KIE would refuse this input with 422, in the words the emulator answers; empty when it would accept it.
     *
     * @param key   the jobs API's model id, or an older family's name ({@code VEO}, {@code SUNO}, ...)
     * @param input the jobs API's {@code input}, or an older family's whole body (with {@code model}) without
     *              {@code callBackUrl}
     */
    public Optional<String> problem(String key, JsonNode input) {
        Rules rules = byKey.get(key);
        if (rules == null) {
            return Optional.of("The page does not exist or is not published");
        }
        if (input == null || !input.isObject()) {
            return Optional.of("input is required");
        }
        for (String name : rules.required()) {
            if (name.equals("prompt") && key.equals("SUNO") && input.path("customMode").asBoolean(false)
                    && input.path("instrumental").asBoolean(false)) {
                continue; // custom instrumental music: only style and title are needed
            }
            JsonNode value = input.get(name);
            if (value == null || value.isNull() || value.isString() && value.asString().isBlank()) {
                return Optional.of(name + " is required");
            }
        }
        for (Map.Entry<String, Field> f : rules.fields().entrySet()) {
            JsonNode value = input.get(f.getKey());
            if (value != null && !value.isNull()) {
                Optional<String> wrong = fieldProblem(f.getKey(), f.getValue(), value);
                if (wrong.isPresent()) {
                    return wrong;
                }
            }
        }
        return crossField(key, input);
    }

    private static Optional<String> fieldProblem(String name, Field rule, JsonNode value) {
        if (rule.type() != null && !hasType(value, rule.type())) {
            return Optional.of(name + " must be of type " + rule.type());
        }
        if (rule.allowed() != null && rule.allowed().stream().noneMatch(a -> same(a, value))) {
            return Optional.of(name + " must be one of " + rule.allowed());
        }
        if (value.isString()) {
            String s = value.asString();
            int length = s.codePointCount(0, s.length());
            if (rule.minLength() != null && length < rule.minLength()) {
                return Optional.of(name + " must be at least " + rule.minLength() + " characters");
            }
            if (rule.maxLength() != null && length > rule.maxLength()) {
                return Optional.of(name + " must be at most " + rule.maxLength() + " characters");
            }
        }
        if (value.isArray()) {
            if (rule.minItems() != null && value.size() < rule.minItems()) {
                return Optional.of(name + " needs at least " + rule.minItems() + " items");
            }
            if (rule.maxItems() != null && value.size() > rule.maxItems()) {
                return Optional.of(name + " takes at most " + rule.maxItems() + " items");
            }
        }
        BigDecimal number = number(value);
        if (number != null && rule.minimum() != null && number.compareTo(rule.minimum()) < 0) {
            return Optional.of(name + " must be at least " + rule.minimum().toPlainString());
        }
        if (number != null && rule.maximum() != null && number.compareTo(rule.maximum()) > 0) {
            return Optional.of(name + " must be at most " + rule.maximum().toPlainString());
        }
        if ((rule.minimum() != null || rule.maximum() != null) && number == null) {
            return Optional.of(name + " must be a number");
        }
        if (rule.url()) {
            List<JsonNode> urls = new ArrayList<>();
            if (value.isArray()) {
                value.forEach(urls::add);
            } else {
                urls.add(value);
            }
            for (JsonNode u : urls) {
                if (!u.isString() || !isUrl(u.asString())) {
                    return Optional.of(name + " must be a file URL");
                }
            }
        }
        return Optional.empty();
    }

    private static boolean hasType(JsonNode value, String type) {
        return switch (type) {
            case "string" -> value.isString();
            case "integer" -> value.isIntegralNumber();
            case "number" -> value.isNumber();
            case "boolean" -> value.isBoolean();
            case "array" -> value.isArray();
            case "object" -> value.isObject();
            default -> throw new IllegalStateException("kie/model-rules.json: unknown type " + type);
        };
    }

    private static boolean same(JsonNode allowed, JsonNode value) {
        if (allowed.isNumber() && value.isNumber()) {
            return allowed.decimalValue().compareTo(value.decimalValue()) == 0;
        }
        return allowed.equals(value);
    }

    /** A number, or a string holding one (KIE's pages send "6" where the schema says number). */
    private static BigDecimal number(JsonNode value) {
        if (value.isNumber()) {
            return value.decimalValue();
        }
        if (value.isString()) {
            try {
                return new BigDecimal(value.asString().trim());
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    private static boolean isUrl(String s) {
        try {
            URI uri = URI.create(s);
            return ("https".equals(uri.getScheme()) || "http".equals(uri.getScheme())) && uri.getHost() != null;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The rules KIE's pages state across fields (model-rules.json's _notes, "CROSS-FIELD RULES"). */
    private static Optional<String> crossField(String key, JsonNode in) {
        return switch (key) {
            case "hailuo/2-3-image-to-video-pro", "hailuo/2-3-image-to-video-standard" ->
                    "1080P".equals(in.path("resolution").asString("")) && "10".equals(in.path("duration").asString(""))
                            ? Optional.of("1080P does not support a 10 s video") : Optional.empty();
            case "RUNWAY" -> runway(in);
            case "GPT4O_IMAGE" -> blank(in, "prompt") && !in.has("filesUrl") && !in.has("fileUrl")
                    ? Optional.of("prompt or filesUrl is required") : Optional.empty();
            case "FLUX_KONTEXT" -> in.has("inputImage") && in.path("safetyTolerance").asInt(0) > 2
                    ? Optional.of("safetyTolerance must be 0-2 when editing an image") : Optional.empty();
            case "VEO" -> veo(in);
            case "SUNO" -> suno(in);
            case "gpt-image-2-image-to-image" -> gptImage2(in);
            case "grok-imagine/image-to-video" -> in.has("image_urls") && in.has("task_id")
                    ? Optional.of("image_urls and task_id cannot be used together") : Optional.empty();
            default -> Optional.empty();
        };
    }

    private static Optional<String> runway(JsonNode in) {
        BigDecimal duration = number(in.path("duration"));
        if (duration == null || duration.compareTo(BigDecimal.valueOf(5)) != 0
                && duration.compareTo(BigDecimal.TEN) != 0) {
            return Optional.of("duration must be 5 or 10");
        }
        if (duration.compareTo(BigDecimal.TEN) == 0 && "1080p".equals(in.path("quality").asString(""))) {
            return Optional.of("a 10 s video cannot be 1080p");
        }
        if (!in.has("imageUrl") && blank(in, "aspectRatio")) {
            return Optional.of("aspectRatio is required without imageUrl");
        }
        return Optional.empty();
    }

    private static Optional<String> veo(JsonNode in) {
        if (!"REFERENCE_2_VIDEO".equals(in.path("generationType").asString(""))) {
            return Optional.empty();
        }
        String model = in.path("model").asString("");
        if (!model.equals("veo3_fast") && !model.equals("veo3_lite")) {
            return Optional.of("REFERENCE_2_VIDEO works only with veo3_fast and veo3_lite");
        }
        int images = in.path("imageUrls").size();
        if (images < 1 || images > 3) {
            return Optional.of("REFERENCE_2_VIDEO takes 1 to 3 images");
        }
        return in.has("duration") && in.path("duration").asInt() != 8
                ? Optional.of("REFERENCE_2_VIDEO supports only duration 8") : Optional.empty();
    }

    private static Optional<String> suno(JsonNode in) {
        boolean custom = in.path("customMode").asBoolean(false);
        boolean v4 = "V4".equals(in.path("model").asString(""));
        int prompt = in.path("prompt").asString("").length();
        if (!custom) {
            return prompt > 500 ? Optional.of("prompt must be at most 500 characters") : Optional.empty();
        }
        if (blank(in, "style") || blank(in, "title")) {
            return Optional.of("style and title are required in custom mode");
        }
        if (prompt > (v4 ? 3000 : 5000)) {
            return Optional.of("prompt must be at most " + (v4 ? 3000 : 5000) + " characters");
        }
        int style = in.path("style").asString("").length();
        return style > (v4 ? 200 : 1000) ? Optional.of("style must be at most " + (v4 ? 200 : 1000) + " characters")
                : Optional.empty();
    }

    private static Optional<String> gptImage2(JsonNode in) {
        String ratio = in.path("aspect_ratio").asString("auto");
        String resolution = in.path("resolution").asString("1K");
        if ((ratio.equals("auto") || ratio.equals("5:4") || ratio.equals("4:5")) && !resolution.equals("1K")) {
            return Optional.of("aspect_ratio " + ratio + " supports only 1K");
        }
        return ratio.equals("1:1") && resolution.equals("4K")
                ? Optional.of("aspect_ratio 1:1 cannot be 4K") : Optional.empty();
    }

    private static boolean blank(JsonNode in, String field) {
        return in.path(field).asString("").isBlank();
    }
}
