package io.kiepipeline.allinone;

import static org.assertj.core.api.Assertions.assertThat;

import io.kiepipeline.emulators.KieInputRules;
import io.kiepipeline.orchestrator.catalog.ModelCatalog;
import io.kiepipeline.schemas.MessageCodec;
import java.io.InputStream;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The catalog and KIE agree: no input the catalog accepts (and charges for) is one KIE refuses. The emulator's rules
 * were transcribed from KIE's pages apart from the catalog, so a wrong catalog entry shows here as a disagreement
 * instead of passing through a client and an emulator that share the mistake.
 */
class CatalogMatchesKieRulesTest {
    private final KieInputRules kie = KieInputRules.load();

    @Test
    void everyInputTheCatalogAcceptsIsOneKieAccepts() throws Exception {
        CatalogConformance.Result result = CatalogConformance.check(catalog(raw()), kie);
        System.out.println("catalog conformance: " + result.inputsChecked() + " inputs of " + result.modelsChecked()
                + " models");

        assertThat(result.disagreements()).as("inputs the catalog sells and KIE refuses").isEmpty();
        assertThat(result.modelsChecked()).as("every model on sale").isEqualTo(
                (int) catalog(raw()).all().stream().filter(m -> m.enabled()).count());
        assertThat(result.inputsChecked()).as("inputs asked about").isGreaterThan(result.modelsChecked() * 5);
    }

    @Test
    void aCatalogEntryAllowingAValueKieRefusesIsNamedByModelAndField() throws Exception {
        ObjectNode root = raw();
        ObjectNode ratio = (ObjectNode) property(root, "google/nano-banana", "aspect_ratio");
        ((ArrayNode) ratio.get("enum")).add("7:3");

        assertThat(CatalogConformance.disagreements(catalog(root), kie)).singleElement().asString()
                .startsWith("google/nano-banana, field aspect_ratio = 7:3: the catalog accepts")
                .contains("aspect_ratio must be one of");
    }

    @Test
    void aCatalogEntryTakingALongerPromptThanKieIsNamedByModelAndField() throws Exception {
        ObjectNode root = raw();
        ((ObjectNode) property(root, "kling-2.6/text-to-video", "prompt")).put("maxLength", 4000);

        assertThat(CatalogConformance.disagreements(catalog(root), kie)).singleElement().asString()
                .startsWith("kling-2.6/text-to-video, field prompt at its 4000 characters")
                .contains("prompt must be at most 1000 characters");
    }

    @Test
    void aCatalogEntryThatDropsAFieldKieRequiresIsNamedByModel() throws Exception {
        ObjectNode root = raw();
        ObjectNode model = model(root, "google/nano-banana-edit");
        ObjectNode schema = (ObjectNode) model.get("inputSchema");
        ArrayNode required = schema.putArray("required").add("prompt");
        assertThat(required).hasSize(1);
        ((ObjectNode) model.get("example")).remove("image_urls");

        assertThat(CatalogConformance.disagreements(catalog(root), kie)).isNotEmpty()
                .allSatisfy(d -> assertThat(d).startsWith("google/nano-banana-edit, ")
                        .contains("image_urls is required"));
    }

    private static ObjectNode raw() throws Exception {
        try (InputStream in = CatalogMatchesKieRulesTest.class.getClassLoader()
                .getResourceAsStream("catalog/models.json")) {
            return (ObjectNode) MessageCodec.mapper().readTree(in);
        }
    }

    private static ModelCatalog catalog(JsonNode root) {
        return ModelCatalog.parse(root);
    }

    private static ObjectNode model(ObjectNode root, String id) {
        for (JsonNode m : root.get("models")) {
            if (m.path("id").asString().equals(id)) {
                return (ObjectNode) m;
            }
        }
        throw new IllegalArgumentException("no model " + id);
    }

    private static JsonNode property(ObjectNode root, String id, String field) {
        return model(root, id).get("inputSchema").get("properties").get(field);
    }
}
