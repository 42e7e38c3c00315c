package io.kiepipeline.emulators;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class KieEmulatorControlTest extends KieEmulatorTestBase {
    private JsonNode answerTo(String prompt) {
        return createTask(prompt).json();
    }

    @Test
    void tasksAndCallsCanBeFilteredByAPromptSubstring() {
        createTask("alpha one");
        createTask("alpha two");
        createTask("beta");

        assertThat(http.get(kie.baseUrl() + "/control/tasks?promptContains=alpha").json()).hasSize(2);
        assertThat(http.get(kie.baseUrl() + "/control/calls?promptContains=beta").json()).hasSize(1);
        assertThat(http.get(kie.baseUrl() + "/control/tasks").json()).hasSize(3);
        assertThat(http.get(kie.baseUrl() + "/control/calls").json()).hasSize(3);
        assertThat(http.get(kie.baseUrl() + "/control/tasks?promptContains=gamma").json()).isEmpty();
    }

    @Test
    void thousandsOfRulesEachApplyToTheirOwnPrompt() {
        int n = 2000;
        for (int i = 0; i < n; i++) {
            String answer = i % 2 == 0 ? "{\"httpStatus\":200,\"code\":402,\"msg\":\"Insufficient credits\"}"
                    : "{\"httpStatus\":500,\"code\":500,\"msg\":\"Server Error\"}";
            assertThat(http.post(kie.baseUrl() + "/control/rules",
                    "{\"promptContains\":\"rule-" + i + "#\",\"createTask\":[" + answer + "]}").status())
                    .isEqualTo(200);
        }
        assertThat(answerTo("rule-0# first").path("code").asInt()).isEqualTo(402);
        assertThat(answerTo("rule-1999# last").path("code").asInt()).isEqualTo(500);
        assertThat(answerTo("rule-1000# middle").path("code").asInt()).isEqualTo(402);
        assertThat(answerTo("rule-0# again").path("code").asInt()).isEqualTo(200);
        assertThat(answerTo("no rule").path("code").asInt()).isEqualTo(200);
    }

    @Test
    void aRuleFromTheControlApiCanSetTheResultUrls() {
        http.post(kie.baseUrl() + "/control/rules",
                "{\"promptContains\":\"custom result\",\"resultUrls\":[\"http://example.invalid/a.png\"]}");
        http.post(kie.baseUrl() + "/control/rules", "{\"promptContains\":\"no result\",\"resultUrls\":[]}");
        createTask("custom result");
        createTask("no result");

        assertThat(kie.tasksFor("custom result")).singleElement()
                .satisfies(t -> assertThat(t.resultUrls()).containsExactly("http://example.invalid/a.png"));
        assertThat(kie.tasksFor("no result")).singleElement()
                .satisfies(t -> assertThat(t.resultUrls()).isEmpty());
    }
}
