package io.kiepipeline.orchestrator.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kiepipeline.orchestrator.catalog.ModelCatalog.Checked;
import io.kiepipeline.schemas.KieApiFamily;
import io.kiepipeline.schemas.Language;
import io.kiepipeline.schemas.MessageCodec;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

class ModelCatalogTest {
    static final ModelCatalog SHIPPED = ModelCatalog.load("classpath:catalog/models.json");

    /** One valid model, priced by duration and sound: the base every broken catalog below changes one thing of. */
    static final String SMALL = """
            {"version": "t1", "currency": "RUB",
             "fieldLabels": {"duration": {"en": "Duration", "ru": "Длительность"},
                             "prompt": {"en": "Prompt", "ru": "Описание"},
                             "image_urls": {"en": "Photo", "ru": "Фото"}},
             "models": [{
               "id": "test/video", "family": "MARKET", "kieModel": "test/video", "category": "IMAGE_TO_VIDEO",
               "outputType": "VIDEO", "title": {"en": "Test", "ru": "Тест"},
               "description": {"en": "A test model", "ru": "Тестовая модель"},
               "inputSchema": {"type": "object", "required": ["prompt", "image_urls", "duration"],
                 "additionalProperties": false,
                 "properties": {
                   "prompt": {"type": "string", "minLength": 1, "maxLength": 100},
                   "image_urls": {"type": "array", "minItems": 1, "maxItems": 1,
                                  "items": {"type": "string", "format": "uri", "pattern": "^https://"}},
                   "sound": {"type": "boolean"},
                   "duration": {"type": "string", "enum": ["5", "10"], "default": "5"}}},
               "defaults": {"duration": "5", "sound": false},
               "example": {"prompt": "a cat", "image_urls": ["https://example.com/cat.png"]},
               "price": {"by": ["duration", "sound"], "skus": [
                 {"when": {"duration": "5", "sound": false}, "priceMinor": 3000},
                 {"when": {"duration": "5", "sound": true}, "priceMinor": 6000},
                 {"when": {"duration": "10", "sound": false}, "priceMinor": 6000},
                 {"when": {"duration": "10", "sound": true}, "priceMinor": 12000}]},
               "free": false, "enabled": true, "typicalSeconds": 90,
               "source": "https://docs.kie.ai/market/test/video"}]}""";

    @Test
    void shippedCatalogHasThirtyRealModelsOverEveryCategoryAndFamily() {
        List<CatalogModel> models = SHIPPED.all();

        assertThat(models).hasSizeGreaterThanOrEqualTo(30);
        assertThat(models.stream().map(CatalogModel::category).collect(Collectors.toSet()))
                .containsExactlyInAnyOrder(Category.values());
        assertThat(models.stream().map(CatalogModel::family).collect(Collectors.toSet()))
                .containsExactlyInAnyOrderElementsOf(EnumSet.allOf(KieApiFamily.class));
        assertThat(models).allSatisfy(m -> {
            assertThat(m.source()).as(m.id()).startsWith("https://");
            assertThat(m.title().en()).as(m.id()).isNotBlank();
            assertThat(m.title().ru()).as(m.id()).isNotBlank();
        });
        assertThat(SHIPPED.version()).matches("[^+]+\\+[0-9a-f]{8}");
    }

    @Test
    void everyExampleOfTheShippedCatalogIsAcceptedAndPriced() {
        for (CatalogModel m : SHIPPED.all()) {
            if (!m.enabled()) {
                continue;
            }
            Checked checked = SHIPPED.check(m.id(), m.example());

            assertThat(checked).as(m.id() + ": " + checked).isInstanceOf(Checked.Valid.class);
            long price = ((Checked.Valid) checked).priceMinor();
            assertThat(price).as(m.id()).isEqualTo(m.free() ? 0 : ((Checked.Valid) checked).sku().priceMinor());
            assertThat(price > 0).as(m.id()).isEqualTo(!m.free());
        }
    }

    @Test
    void everyOptionCombinationOfEveryShippedModelHasAPrice() {
        int combinations = 0;
        for (CatalogModel m : SHIPPED.all()) {
            if (!m.enabled()) {
                continue;
            }
            for (Map<String, Object> options : ModelCatalogTestSupport.combinationsOf(m)) {
                Map<String, Object> input = new LinkedHashMap<>(m.example());
                input.putAll(options);
                Checked checked = SHIPPED.check(m.id(), input);
                if (checked instanceof Checked.InvalidInput) {
                    continue; // a combination KIE does not offer (e.g. 1080P for 10 s)
                }
                assertThat(checked).as(m.id() + " " + options).isInstanceOf(Checked.Valid.class);
                assertThat(((Checked.Valid) checked).sku().when()).as(m.id()).isEqualTo(options);
                combinations++;
            }
        }
        assertThat(combinations).isGreaterThan(100);
    }

    @Test
    void aValidInputGetsTheDefaultsAndThePriceOfItsOptions() {
        ModelCatalog catalog = ModelCatalog.parse(json(SMALL));

        Checked checked = catalog.check("test/video", Map.of("prompt", "a cat", "image_urls",
                List.of("https://example.com/cat.png"), "duration", "10", "sound", true));

        assertThat(checked).isInstanceOfSatisfying(Checked.Valid.class, v -> {
            assertThat(v.priceMinor()).isEqualTo(12_000);
            assertThat(v.input()).containsEntry("duration", "10").containsEntry("sound", true);
        });
        assertThat(((Checked.Valid) catalog.check("test/video", Map.of("prompt", "a cat", "image_urls",
                List.of("https://example.com/cat.png")))).priceMinor()).isEqualTo(3000);
    }

    @Test
    void refusalNamesTheFieldInTheUsersLanguage() {
        ModelCatalog catalog = ModelCatalog.parse(json(SMALL));
        Map<String, Object> input = Map.of("prompt", "a cat", "image_urls", List.of("https://example.com/cat.png"),
                "duration", "7");

        Checked ru = catalog.check("test/video", input, Language.RU);
        Checked en = catalog.check("test/video", input, Language.EN);

        assertThat(ru).isInstanceOfSatisfying(Checked.InvalidInput.class, i -> {
            assertThat(i.summary()).isEqualTo("Длительность: выберите одно из: 5, 10");
            assertThat(i.problems()).extracting(InputProblems.Problem::field).containsExactly("duration");
        });
        assertThat(en).isInstanceOfSatisfying(Checked.InvalidInput.class, i ->
                assertThat(i.summary()).isEqualTo("Duration must be one of: 5, 10"));
    }

    @Test
    void refusesAMissingFieldAnUnknownOneAndAnImageThatIsNotHttps() {
        ModelCatalog catalog = ModelCatalog.parse(json(SMALL));

        Checked missing = catalog.check("test/video", Map.of("image_urls", List.of("https://example.com/a.png")),
                Language.EN);
        Checked unknown = catalog.check("test/video", Map.of("prompt", "a", "image_urls",
                List.of("https://example.com/a.png"), "colour", "red"), Language.RU);
        Checked http = catalog.check("test/video", Map.of("prompt", "a", "image_urls",
                List.of("http://example.com/a.png")), Language.EN);
        Checked tooLong = catalog.check("test/video", Map.of("prompt", "x".repeat(101), "image_urls",
                List.of("https://example.com/a.png")), Language.EN);

        assertThat(((Checked.InvalidInput) missing).summary()).isEqualTo("Prompt is required");
        assertThat(((Checked.InvalidInput) unknown).summary()).isEqualTo("у этой модели нет настройки «colour»");
        assertThat(((Checked.InvalidInput) http).summary()).isEqualTo("Photo must be an https:// link");
        assertThat(((Checked.InvalidInput) tooLong).summary()).isEqualTo("Prompt must be at most 100 characters");
    }

    @Test
    void aWholeNumberWrittenAsADecimalIsPricedAndSentAsTheInteger() {
        CatalogModel runway = SHIPPED.find("runway/text-to-video").orElseThrow();
        Map<String, Object> input = new LinkedHashMap<>(runway.example());
        input.put("duration", 5.0);

        Checked checked = SHIPPED.check(runway.id(), input);
        Checked asInteger = SHIPPED.check(runway.id(), runway.example());

        assertThat(checked).isInstanceOfSatisfying(Checked.Valid.class, v -> {
            assertThat(v.priceMinor()).isEqualTo(((Checked.Valid) asInteger).priceMinor());
            assertThat(v.input().get("duration")).isEqualTo(5L);
        });
    }

    @Test
    void aPricedOptionWithoutADefaultMustBeChosen() {
        ModelCatalog catalog = ModelCatalog.parse(change(m -> {
            ((ObjectNode) m.get("defaults")).remove("sound");
            ((ObjectNode) m.get("example")).put("sound", false);
        }));

        Checked checked = catalog.check("test/video", Map.of("prompt", "a", "image_urls",
                List.of("https://example.com/a.png")), Language.EN);

        assertThat(checked).isInstanceOfSatisfying(Checked.InvalidInput.class, i ->
                assertThat(i.summary()).isEqualTo("sound is required: it sets the price"));
    }

    @Test
    void aDisabledModelAndAnUnknownOneAreNotSold() {
        ModelCatalog catalog = ModelCatalog.parse(change(m -> m.put("enabled", false)));

        assertThat(catalog.check("test/video", Map.of())).isInstanceOf(Checked.Disabled.class);
        assertThat(catalog.check("no/such", Map.of())).isInstanceOf(Checked.UnknownModel.class);
    }

    @Test
    void aChangedFileIsAnotherVersionEvenWithTheSameDeclaredVersion() {
        ModelCatalog before = ModelCatalog.parse(json(SMALL));
        ModelCatalog after = ModelCatalog.parse(change(m -> ((ObjectNode) m.get("price").get("skus").get(0))
                .put("priceMinor", 3500)));

        assertThat(after.version()).startsWith("t1+").isNotEqualTo(before.version());
    }

    static List<Arguments> brokenCatalogs() {
        List<Arguments> cases = new ArrayList<>();
        cases.add(Arguments.of("a combination without a price", "model test/video, field price.skus: no price for "
                + "{\"duration\":\"10\",\"sound\":true}", (Consumer<ObjectNode>) m ->
                ((ArrayNode) m.get("price").get("skus")).remove(3)));
        cases.add(Arguments.of("an unknown family", "model test/video, field family: PIGEON is not one of",
                (Consumer<ObjectNode>) m -> m.put("family", "PIGEON")));
        cases.add(Arguments.of("a schema that does not compile", "model test/video, field inputSchema: not a valid "
                + "JSON Schema", (Consumer<ObjectNode>) m -> ((ObjectNode) m.get("inputSchema").get("properties")
                .get("prompt")).put("type", "text")));
        cases.add(Arguments.of("an example the schema refuses", "model test/video, field example: the schema "
                + "refuses it", (Consumer<ObjectNode>) m -> ((ObjectNode) m.get("example")).put("prompt", "")));
        cases.add(Arguments.of("an image field that allows http", "model test/video, field "
                + "inputSchema.properties.image_urls.items: a URL field needs", (Consumer<ObjectNode>) m ->
                ((ObjectNode) m.get("inputSchema").get("properties").get("image_urls").get("items")).remove("pattern")));
        cases.add(Arguments.of("a default the schema refuses", "model test/video, field defaults.duration: differs "
                + "from the schema's default", (Consumer<ObjectNode>) m -> ((ObjectNode) m.get("defaults"))
                .put("duration", "15")));
        cases.add(Arguments.of("a free model with a price", "model test/video, field price.skus[0].priceMinor: a "
                + "free model costs 0", (Consumer<ObjectNode>) m -> m.put("free", true)));
        cases.add(Arguments.of("a title without Russian", "model test/video, field title.ru: required",
                (Consumer<ObjectNode>) m -> ((ObjectNode) m.get("title")).remove("ru")));
        cases.add(Arguments.of("a price option with no small set of values", "model test/video, field price.by: "
                + "prompt has no small set of values", (Consumer<ObjectNode>) m -> ((ArrayNode) m.get("price")
                .get("by")).add("prompt")));
        cases.add(Arguments.of("a price for a value the schema does not allow", "model test/video, field "
                + "price.skus[0].when.duration: \"7\" is not a value", (Consumer<ObjectNode>) m ->
                ((ObjectNode) m.get("price").get("skus").get(0).get("when")).put("duration", "7")));
        cases.add(Arguments.of("fields KIE does not know let through", "model test/video, field "
                + "inputSchema.additionalProperties: must be false", (Consumer<ObjectNode>) m ->
                ((ObjectNode) m.get("inputSchema")).put("additionalProperties", true)));
        cases.add(Arguments.of("a documentation page that is not https", "model test/video, field source",
                (Consumer<ObjectNode>) m -> m.put("source", "docs.kie.ai")));
        cases.add(Arguments.of("a misspelt field", "model test/video, field enbled: not a catalog field",
                (Consumer<ObjectNode>) m -> m.put("enbled", false)));
        return cases;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenCatalogs")
    void aBrokenCatalogStopsTheStartNamingTheModelAndTheField(String what, String message,
                                                               Consumer<ObjectNode> breakIt) {
        JsonNode broken = change(breakIt);

        assertThatThrownBy(() -> ModelCatalog.parse(broken)).isInstanceOf(CatalogException.class)
                .hasMessageContaining(message);
    }

    @Test
    void aModelListedTwiceStopsTheStart() {
        ObjectNode root = (ObjectNode) json(SMALL);
        ((ArrayNode) root.get("models")).add(root.get("models").get(0).deepCopy());

        assertThatThrownBy(() -> ModelCatalog.parse(root)).hasMessageContaining("model test/video, field id: "
                + "listed twice");
    }

    @Test
    void aMissingCatalogFileStopsTheStart() {
        assertThatThrownBy(() -> ModelCatalog.load("file:/nonexistent/models.json"))
                .hasMessageContaining("no catalog at file:/nonexistent/models.json");
    }

    static JsonNode change(Consumer<ObjectNode> change) {
        JsonNode root = json(SMALL);
        change.accept((ObjectNode) root.get("models").get(0));
        return root;
    }

    static JsonNode json(String text) {
        return MessageCodec.mapper().readTree(text);
    }
}
