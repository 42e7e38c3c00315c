package io.kiepipeline.bot.conversation;

import io.kiepipeline.schemas.Language;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * A model on sale as the bot shows it, read from the orchestrator's catalog ({@code GET /internal/models}): what it
 * is called and does in both languages, where it sits in the menus, its price "from", and its input as questions.
 *
 * @param fields the input's fields, in the order the wizard asks them: photos first, then the prompt, then choices
 */
public record BotModel(String id, Map<Language, String> title, Map<Language, String> description, Category category,
                       String outputType, boolean free, long priceFromMinor, String currency, Integer typicalSeconds,
                       List<Field> fields) {
    /** The catalog's categories, which the main menu groups into sections. */
    public enum Category {
        TEXT_TO_IMAGE, IMAGE_EDIT, TEXT_TO_VIDEO, IMAGE_TO_VIDEO, AUDIO, UPSCALE
    }

    /** How a field is asked: typed text, a photo (one or several), buttons, or a typed number. */
    public enum Kind {
        PROMPT, TEXT, IMAGE, IMAGES, CHOICE, SWITCH, NUMBER
    }

    /**
     * One input field. {@code asked}: the wizard must ask it (required, and no default to fall back on); the others
     * with choices are the optional settings.
     */
    public record Field(String name, Map<Language, String> label, Kind kind, boolean asked, List<Object> choices,
                        Object defaultValue, Integer maxLength, Integer maxItems, BigDecimal minimum,
                        BigDecimal maximum) {
        public String label(Language language) {
            return label.getOrDefault(language, label.getOrDefault(Language.EN, name));
        }

        /** A setting the user may change with buttons. */
        boolean isSetting() {
            return !asked && (kind == Kind.CHOICE || kind == Kind.SWITCH);
        }
    }

    public String title(Language language) {
        return title.getOrDefault(language, title.getOrDefault(Language.EN, id));
    }

    public String description(Language language) {
        return description.getOrDefault(language, description.getOrDefault(Language.EN, ""));
    }

    /** The fields the wizard asks one by one. */
    public List<Field> asked() {
        return fields.stream().filter(Field::asked).toList();
    }

    /** The optional settings, asked only when the user wants to change them. */
    public List<Field> settings() {
        return fields.stream().filter(Field::isSetting).toList();
    }

    public Field field(String name) {
        return fields.stream().filter(f -> f.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(id + " has no field " + name));
    }

    /**
     * Reads one entry of {@code /internal/models}. {@code labels}: the catalog's field labels
     * ({@code {"duration": {"en": ..., "ru": ...}}}); a field without one is shown by its name.
     */
    public static BotModel fromCatalog(JsonNode m, JsonNode labels) {
        JsonNode schema = m.path("inputSchema");
        JsonNode defaults = m.path("defaults");
        List<String> required = new ArrayList<>();
        schema.path("required").forEach(r -> required.add(r.asString()));
        List<Field> fields = new ArrayList<>();
        for (Map.Entry<String, JsonNode> p : schema.path("properties").properties()) {
            String name = p.getKey();
            JsonNode s = p.getValue();
            Kind kind = kindOf(name, s);
            List<Object> choices = new ArrayList<>();
            s.path("enum").forEach(v -> choices.add(plain(v)));
            if (kind == Kind.SWITCH) {
                choices.addAll(List.of(true, false));
            }
            boolean hasDefault = defaults.has(name);
            fields.add(new Field(name, localized(labels.path(name)), kind, required.contains(name) && !hasDefault,
                    List.copyOf(choices), hasDefault ? plain(defaults.get(name)) : null, integer(s, "maxLength"),
                    integer(s, "maxItems"), s.has("minimum") ? s.get("minimum").decimalValue() : null,
                    s.has("maximum") ? s.get("maximum").decimalValue() : null));
        }
        fields.sort(java.util.Comparator.comparingInt(f -> switch (f.kind()) {
            case IMAGE, IMAGES -> 0;
            case PROMPT -> 1;
            case TEXT -> 2;
            case CHOICE, SWITCH -> 3;
            case NUMBER -> 4;
        }));
        return new BotModel(m.path("id").asString(), localized(m.path("title")), localized(m.path("description")),
                Category.valueOf(m.path("category").asString()), m.path("outputType").asString(),
                m.path("free").asBoolean(false), m.path("priceFromMinor").asLong(0), m.path("currency").asString(),
                m.hasNonNull("typicalSeconds") ? m.get("typicalSeconds").asInt() : null, List.copyOf(fields));
    }

    private static Kind kindOf(String name, JsonNode s) {
        String type = s.path("type").asString("");
        if (s.has("enum")) {
            return Kind.CHOICE;
        }
        if (type.equals("boolean")) {
            return Kind.SWITCH;
        }
        if (type.equals("array")) {
            return Kind.IMAGES; // the catalog's arrays are lists of image URLs
        }
        if (type.equals("string") && s.path("pattern").asString("").startsWith("^https://")) {
            return Kind.IMAGE;
        }
        if (type.equals("integer") || type.equals("number")) {
            return Kind.NUMBER;
        }
        return name.equals("prompt") || name.equals("text") ? Kind.PROMPT : Kind.TEXT;
    }

    private static Object plain(JsonNode v) {
        if (v.isBoolean()) {
            return v.asBoolean();
        }
        if (v.isIntegralNumber()) {
            return v.asLong();
        }
        if (v.isNumber()) {
            return v.decimalValue();
        }
        return v.asString();
    }

    private static Integer integer(JsonNode s, String name) {
        return s.has(name) ? s.get(name).asInt() : null;
    }

    private static Map<Language, String> localized(JsonNode n) {
        Map<Language, String> out = new EnumMap<>(Language.class);
        for (Language l : Language.values()) {
            if (n.hasNonNull(l.tag())) {
                out.put(l, n.get(l.tag()).asString());
            }
        }
        return Map.copyOf(out);
    }
}
