package io.kiepipeline.emulators;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The emulator refuses, like KIE, an input its copy of KIE's rules refuses: 422, no task, no credits spent. */
class KieInputRulesTest extends KieEmulatorTestBase {
    private final KieInputRules rules = KieInputRules.load();

    private Optional<String> check(String key, String input) {
        return rules.problem(key, Http.JSON.readTree(input));
    }

    @Test
    void knowsEveryFamilyAndTheJobsApiModels() {
        assertThat(rules.keys()).contains("VEO", "RUNWAY", "GPT4O_IMAGE", "FLUX_KONTEXT", "SUNO",
                "kling-2.6/text-to-video", "elevenlabs/sound-effect-v2");
        assertThat(rules.keys().size()).isGreaterThan(40);
    }

    @Test
    void acceptsAnInputWithinTheModelsRules() {
        assertThat(check("kling-2.6/text-to-video",
                "{\"prompt\":\"a cat\",\"sound\":false,\"aspect_ratio\":\"16:9\",\"duration\":\"5\"}")).isEmpty();
    }

    @Test
    void refusesAValueOutsideTheEnumNamingTheField() {
        assertThat(check("kling-2.6/text-to-video",
                "{\"prompt\":\"a cat\",\"sound\":false,\"aspect_ratio\":\"16:9\",\"duration\":\"15\"}"))
                .hasValueSatisfying(m -> assertThat(m).startsWith("duration must be one of"));
    }

    @Test
    void refusesANumberWhereKieWantsAString() {
        assertThat(check("kling-2.6/text-to-video",
                "{\"prompt\":\"a cat\",\"sound\":false,\"aspect_ratio\":\"16:9\",\"duration\":5}"))
                .hasValue("duration must be of type string");
    }

    @Test
    void refusesAMissingOrBlankRequiredField() {
        assertThat(check("google/nano-banana", "{\"output_format\":\"png\"}")).hasValue("prompt is required");
        assertThat(check("google/nano-banana", "{\"prompt\":\"  \"}")).hasValue("prompt is required");
    }

    @Test
    void refusesTooLongAPromptAndAnImageThatIsNotAUrl() {
        assertThat(check("google/nano-banana", "{\"prompt\":\"" + "x".repeat(5001) + "\"}"))
                .hasValue("prompt must be at most 5000 characters");
        assertThat(check("google/nano-banana-edit", "{\"prompt\":\"p\",\"image_urls\":[\"file:///etc/passwd\"]}"))
                .hasValue("image_urls must be a file URL");
    }

    @Test
    void takesANumericStringWhereThePagesExampleSendsOneAndStillChecksItsRange() {
        String base = "{\"prompt\":\"p\",\"aspect_ratio\":\"16:9\",\"mode\":\"normal\",\"resolution\":\"720p\",";
        assertThat(check("grok-imagine/text-to-video", base + "\"duration\":\"6\"}")).isEmpty();
        assertThat(check("grok-imagine/text-to-video", base + "\"duration\":31}"))
                .hasValue("duration must be at most 30");
    }

    @Test
    void appliesTheRulesKieStatesAcrossFields() {
        assertThat(check("hailuo/2-3-image-to-video-pro", "{\"prompt\":\"p\",\"image_url\":\"https://x.test/a.png\","
                + "\"duration\":\"10\",\"resolution\":\"1080P\"}")).hasValue("1080P does not support a 10 s video");
        assertThat(check("RUNWAY", "{\"prompt\":\"p\",\"duration\":10,\"quality\":\"1080p\",\"aspectRatio\":\"16:9\"}"))
                .hasValue("a 10 s video cannot be 1080p");
        assertThat(check("SUNO", "{\"prompt\":\"\",\"customMode\":true,\"instrumental\":true,\"model\":\"V5\","
                + "\"style\":\"jazz\",\"title\":\"Night\"}")).isEmpty();
        assertThat(check("SUNO", "{\"prompt\":\"la la\",\"customMode\":true,\"instrumental\":false,\"model\":\"V5\"}"))
                .hasValue("style and title are required in custom mode");
        assertThat(check("SUNO", "{\"prompt\":\"" + "x".repeat(501) + "\",\"customMode\":false,"
                + "\"instrumental\":false,\"model\":\"V5\"}")).hasValue("prompt must be at most 500 characters");
    }

    @Test
    void createTaskAnswers422ForAnInvalidInputAndMakesNoTaskNorSpendsCredits() {
        long credits = kie.credits(KEY);
        JsonNode answer = http.post(kie.baseUrl() + "/api/v1/jobs/createTask", KEY,
                "{\"model\":\"kling-2.6/text-to-video\",\"input\":{\"prompt\":\"invalid duration\",\"sound\":false,"
                        + "\"aspect_ratio\":\"16:9\",\"duration\":\"7\"}}").json();

        assertThat(answer.path("code").asInt()).isEqualTo(422);
        assertThat(answer.path("msg").asString()).startsWith("duration must be one of");
        assertThat(kie.tasksFor("invalid duration")).isEmpty();
        assertThat(kie.credits(KEY)).isEqualTo(credits);
    }

    @Test
    void createTaskOfAnOlderFamilyChecksItsFlatBody() {
        JsonNode answer = http.post(kie.baseUrl() + "/api/v1/veo/generate", KEY,
                "{\"prompt\":\"veo reference\",\"model\":\"veo3\",\"generationType\":\"REFERENCE_2_VIDEO\","
                        + "\"imageUrls\":[\"https://x.test/a.png\"],\"callBackUrl\":\"https://cb.test/k\"}").json();

        assertThat(answer.path("code").asInt()).isEqualTo(422);
        assertThat(answer.path("msg").asString()).isEqualTo("REFERENCE_2_VIDEO works only with veo3_fast and veo3_lite");
    }

    @Test
    void aModelKieDoesNotHaveIsAPageThatDoesNotExist() {
        JsonNode answer = http.post(kie.baseUrl() + "/api/v1/jobs/createTask", KEY,
                "{\"model\":\"no-such/model\",\"input\":{\"prompt\":\"p\"}}").json();

        assertThat(answer.path("code").asInt()).isEqualTo(422);
        assertThat(answer.path("msg").asString()).isEqualTo("The page does not exist or is not published");
    }
}
