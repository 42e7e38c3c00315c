package io.kiepipeline.orchestrator.catalog;

import com.networknt.schema.Error;
import io.kiepipeline.schemas.Language;
import io.kiepipeline.schemas.Limits;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * Turns the schema validator's findings into sentences a user understands, in the user's language: the field by its
 * label from the catalog ("Duration", "Длительность"), and what is wrong with it in words ("must be one of: 5, 10"),
 * never the validator's JSON paths and keywords.
 */
public final class InputProblems {
    /** One problem: the field as the API names it (for programs) and the sentence for people. */
    public record Problem(String field, String message) {
    }

    private static final Pattern FIRST_FIELD = Pattern.compile("^(?:\\$\\.?|/)([^./\\[]+)");
    private static final int MAX_VALUES_SHOWN = 12;

    private final Map<String, Localized> labels;

    private InputProblems(Map<String, Localized> labels) {
        this.labels = labels;
    }

    static InputProblems from(JsonNode fieldLabels) {
        Map<String, Localized> labels = new LinkedHashMap<>();
        if (fieldLabels != null && fieldLabels.isObject()) {
            fieldLabels.properties().forEach(e -> {
                JsonNode v = e.getValue();
                if (!v.path("en").isString() || !v.path("ru").isString()) {
                    throw new CatalogException(null, "fieldLabels." + e.getKey(), "an object {\"en\": ..., \"ru\": ...}");
                }
                labels.put(e.getKey(), new Localized(v.get("en").asString(), v.get("ru").asString()));
            });
        }
        return new InputProblems(labels);
    }

    /** The label of each field, in both languages (a field without one is shown by its name). */
    Map<String, Localized> labels() {
        return java.util.Collections.unmodifiableMap(labels);
    }

    Problem describe(Error e, Language lang) {
        String field = fieldOf(e);
        String label = field == null ? (lang == Language.RU ? "Запрос" : "The request") : label(field, lang);
        boolean ru = lang == Language.RU;
        JsonNode schema = e.getSchemaNode();
        String keyword = e.getKeyword() == null ? "" : e.getKeyword();
        String text = switch (keyword) {
            case "required" -> ru ? label + ": обязательное поле" : label + " is required";
            case "additionalProperties" -> ru ? "у этой модели нет настройки «" + field + "»"
                    : "this model has no setting \"" + field + "\"";
            case "enum" -> (ru ? label + ": выберите одно из: " : label + " must be one of: ") + values(schema);
            case "const" -> (ru ? label + ": допустимо только " : label + " can only be ") + schema;
            case "type" -> (ru ? label + " — нужно " : label + " must be ") + typeWord(schema, ru);
            case "minLength" -> ru ? label + ": не короче " + schema + " символов"
                    : label + " must be at least " + schema + " characters";
            case "maxLength" -> ru ? label + ": не длиннее " + schema + " символов"
                    : label + " must be at most " + schema + " characters";
            case "minItems" -> ru ? label + ": нужно не меньше " + schema : label + " needs at least " + schema;
            case "maxItems" -> ru ? label + ": не больше " + schema : label + " takes at most " + schema;
            case "minimum" -> ru ? label + ": не меньше " + schema : label + " must be at least " + schema;
            case "maximum" -> ru ? label + ": не больше " + schema : label + " must be at most " + schema;
            case "pattern", "format" -> urlField(e) ? (ru ? label + ": нужна ссылка https://"
                    : label + " must be an https:// link") : (ru ? label + ": неверный формат"
                    : label + " has the wrong format");
            default -> label + ": " + e.getMessage();
        };
        return new Problem(field == null ? "" : field, Limits.cap(text, 300));
    }

    Problem pricedFieldMissing(String field, Language lang) {
        String label = label(field, lang);
        return new Problem(field, lang == Language.RU ? label + ": обязательное поле (от него зависит цена)"
                : label + " is required: it sets the price");
    }

    private String label(String field, Language lang) {
        Localized l = labels.get(field);
        return l == null ? field : l.in(lang);
    }

    /** The top-level field a finding is about: the missing or unknown one, else the first step of its path. */
    private static String fieldOf(Error e) {
        if (("required".equals(e.getKeyword()) || "additionalProperties".equals(e.getKeyword()))
                && e.getProperty() != null) {
            return e.getProperty();
        }
        Matcher m = FIRST_FIELD.matcher(String.valueOf(e.getInstanceLocation()));
        return m.find() ? m.group(1) : null;
    }

    private static boolean urlField(Error e) {
        JsonNode schema = e.getSchemaNode();
        String s = schema == null ? "" : schema.asString("");
        return s.contains("https") || "uri".equals(s);
    }

    private static String values(JsonNode schema) {
        List<String> out = new ArrayList<>();
        if (schema != null && schema.isArray()) {
            for (JsonNode v : schema) {
                if (out.size() == MAX_VALUES_SHOWN) {
                    out.add("…");
                    break;
                }
                out.add(v.isString() ? v.asString() : v.toString());
            }
        }
        return String.join(", ", out);
    }

    private static String typeWord(JsonNode schema, boolean ru) {
        String type = schema == null ? "" : schema.isArray() && !schema.isEmpty() ? schema.get(0).asString("")
                : schema.asString("");
        return switch (type) {
            case "string" -> ru ? "текст" : "text";
            case "boolean" -> ru ? "да или нет" : "yes or no";
            case "integer" -> ru ? "целое число" : "a whole number";
            case "number" -> ru ? "число" : "a number";
            case "array" -> ru ? "список" : "a list";
            case "object" -> ru ? "объект" : "an object";
            default -> type;
        };
    }
}
