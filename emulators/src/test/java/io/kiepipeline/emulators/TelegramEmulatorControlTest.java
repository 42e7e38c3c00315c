package io.kiepipeline.emulators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class TelegramEmulatorControlTest extends TelegramEmulatorTestBase {

    private JsonNode updates(long offset) {
        return http.post(bot("getUpdates"), "{\"offset\":" + offset + ",\"timeout\":0}").json().path("result");
    }

    @Test
    void aSecondGetUpdatesTerminatesTheWaitingOneWith409LikeTelegram() throws Exception {
        java.util.concurrent.CompletableFuture<TestHttp.Reply> first = java.util.concurrent.CompletableFuture
                .supplyAsync(() -> http.post(bot("getUpdates"), "{\"offset\":0,\"timeout\":20}"));
        await().atMost(Duration.ofSeconds(5)).until(() -> telegram.getUpdatesInFlight() == 1);

        TestHttp.Reply second = http.post(bot("getUpdates"), "{\"offset\":0,\"timeout\":0}");

        TestHttp.Reply terminated = first.get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(terminated.status()).isEqualTo(409);
        assertThat(terminated.json().path("description").asString()).startsWith("Conflict: terminated by other");
        assertThat(second.status()).isEqualTo(200);
        assertThat(telegram.conflicts()).isEqualTo(1);
        assertThat(http.get(telegram.baseUrl() + "/control/conflicts").json().path("count").asInt()).isEqualTo(1);
    }

    @Test
    void rawUpdatesAreQueuedAsGivenWithTheNextUpdateId() {
        int nullText = http.post(telegram.baseUrl() + "/control/raw-update", "{\"message\":{\"text\":null}}")
                .json().path("updateId").asInt();
        int foreign = http.post(telegram.baseUrl() + "/control/raw-update", "{\"update_id\":5,\"foo\":1}")
                .json().path("updateId").asInt();
        int garbage = http.post(telegram.baseUrl() + "/control/raw-update", "not json {").json()
                .path("updateId").asInt();
        int array = http.post(telegram.baseUrl() + "/control/raw-update", "[1,2]").json().path("updateId").asInt();

        assertThat(foreign).isEqualTo(nullText + 1);
        JsonNode result = updates(0);
        assertThat(result).hasSize(4);
        assertThat(result.get(0).path("update_id").asInt()).isEqualTo(nullText);
        assertThat(result.get(0).path("message").has("text")).isTrue();
        assertThat(result.get(0).path("message").path("text").isNull()).isTrue();
        assertThat(result.get(1).path("update_id").asInt()).isEqualTo(foreign);
        assertThat(result.get(1).path("foo").asInt()).isEqualTo(1);
        assertThat(result.get(2).path("update_id").asInt()).isEqualTo(garbage);
        assertThat(result.get(2).path("garbage").asString()).isEqualTo("not json {");
        assertThat(result.get(3).path("update_id").asInt()).isEqualTo(array);
        assertThat(result.get(3).path("garbage").asString()).isEqualTo("[1,2]");
    }

    @Test
    void redeliverQueuesAKnownUpdateAgainAndAnswers404ForAnUnknownOne() {
        int id = telegram.userSays(7, 7, "hello");
        assertThat(updates(id + 1)).isEmpty();

        TestHttp.Reply again = http.post(telegram.baseUrl() + "/control/redeliver", "{\"updateId\":" + id + "}");
        assertThat(again.status()).isEqualTo(200);
        assertThat(updates(0)).singleElement()
                .satisfies(u -> assertThat(u.path("message").path("text").asString()).isEqualTo("hello"));

        TestHttp.Reply unknown = http.post(telegram.baseUrl() + "/control/redeliver", "{\"updateId\":999999}");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.json().has("error")).isTrue();
    }

    @Test
    void sentMessagesCanBeCountedAndPagedFromAnIndex() {
        for (int i = 0; i < 5; i++) {
            http.post(bot("sendMessage"), "{\"chat_id\":" + (i % 2 == 0 ? 1 : 2) + ",\"text\":\"m" + i + "\"}");
        }
        assertThat(http.get(telegram.baseUrl() + "/control/sent/count").json().path("count").asInt())
                .isEqualTo(5);
        JsonNode page = http.get(telegram.baseUrl() + "/control/sent?since=3").json();
        assertThat(page).hasSize(2);
        assertThat(page.get(0).path("text").asString()).isEqualTo("m3");
        assertThat(page.get(1).path("text").asString()).isEqualTo("m4");
        assertThat(http.get(telegram.baseUrl() + "/control/sent?since=2&chatId=1").json()).hasSize(2);
        assertThat(http.get(telegram.baseUrl() + "/control/sent?since=99").json()).isEmpty();
        assertThat(http.get(telegram.baseUrl() + "/control/sent").json()).hasSize(5);
    }

    @Test
    void unreachableTelegramComesBackOnTheSamePortWithItsUpdatesAndSentMessages() {
        String baseUrl = telegram.baseUrl();
        int id = telegram.userSays(8, 8, "before");
        http.post(bot("sendMessage"), "{\"chat_id\":8,\"text\":\"reply\"}");

        TestHttp.Reply ok = http.post(baseUrl + "/control/unreachable", "{\"seconds\":1}");
        assertThat(ok.json().path("ok").asBoolean()).isTrue();
        await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(20))
                .until(() -> !TestHttp.acceptsConnections(baseUrl));
        int during = telegram.userSays(8, 8, "while away");

        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> TestHttp.acceptsConnections(baseUrl));
        assertThat(telegram.baseUrl()).isEqualTo(baseUrl);
        JsonNode result = updates(0);
        assertThat(result).extracting(u -> u.path("update_id").asInt()).containsExactly(id, during);
        assertThat(http.get(baseUrl + "/control/sent/count").json().path("count").asInt()).isEqualTo(1);
    }
}
