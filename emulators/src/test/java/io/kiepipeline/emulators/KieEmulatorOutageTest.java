package io.kiepipeline.emulators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class KieEmulatorOutageTest extends KieEmulatorTestBase {
    @Override
    long taskMillis() {
        return 200;
    }

    private TestHttp.Reply createTask(String prompt, String callBackUrl) {
        return http.post(kie.baseUrl() + "/api/v1/jobs/createTask", KEY,
                "{\"model\":\"google/nano-banana\",\"callBackUrl\":" + (callBackUrl == null ? "null"
                        : "\"" + callBackUrl + "\"") + ",\"input\":{\"prompt\":\"" + prompt + "\"}}");
    }

    @Test
    void duringAnOutageEveryApiEndpointAnswers503AndCreatesNothing() {
        String taskId = createTask("before outage", null).json().path("data").path("taskId").asString();
        assertThat(http.post(kie.baseUrl() + "/control/unavailable", "{\"seconds\":60}").status()).isEqualTo(200);

        TestHttp.Reply create = createTask("during outage", null);
        TestHttp.Reply info = http.get(kie.baseUrl() + "/api/v1/jobs/recordInfo?taskId=" + taskId, KEY);
        TestHttp.Reply credit = http.get(kie.baseUrl() + "/api/v1/chat/credit", KEY);
        for (TestHttp.Reply r : new TestHttp.Reply[] {create, info, credit}) {
            assertThat(r.status()).isEqualTo(503);
            assertThat(r.json().path("code").asInt()).isEqualTo(503);
            assertThat(r.json().path("msg").asString()).isEqualTo("Service Unavailable");
        }
        assertThat(kie.tasksFor("during outage")).isEmpty();
        assertThat(kie.callsFor("during outage")).singleElement()
                .satisfies(c -> assertThat(c.httpStatus()).isEqualTo(503));

        http.post(kie.baseUrl() + "/control/unavailable", "{\"seconds\":0}");
        assertThat(createTask("after outage", null).json().path("code").asInt()).isEqualTo(200);
        assertThat(http.get(kie.baseUrl() + "/api/v1/chat/credit", KEY).status()).isEqualTo(200);
    }

    @Test
    void anOutageEndsByItself() {
        kie.unavailableFor(Duration.ofMillis(300));
        assertThat(createTask("short outage", null).status()).isEqualTo(503);
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
                .until(() -> createTask("short outage over", null).status() == 200);
    }

    @Test
    void unreachableRefusesConnectionsThenComesBackOnTheSamePortWithItsTasks() {
        String baseUrl = kie.baseUrl();
        String taskId = createTask("kept across", null).json().path("data").path("taskId").asString();
        http.post(baseUrl + "/control/rules", "{\"promptContains\":\"rule kept\",\"fail\":true}");

        TestHttp.Reply ok = http.post(baseUrl + "/control/unreachable", "{\"seconds\":1}");
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.json().path("ok").asBoolean()).isTrue();
        await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(20))
                .until(() -> !TestHttp.acceptsConnections(baseUrl));
        assertThat(kie.baseUrl()).isEqualTo(baseUrl);

        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> TestHttp.acceptsConnections(baseUrl));
        JsonNode info = http.get(baseUrl + "/api/v1/jobs/recordInfo?taskId=" + taskId, KEY).json();
        assertThat(info.path("data").path("taskId").asString()).isEqualTo(taskId);
        String failing = createTask("rule kept", null).json().path("data").path("taskId").asString();
        assertThat(kie.tasksFor("rule kept")).singleElement()
                .satisfies(t -> assertThat(t.taskId()).isEqualTo(failing))
                .satisfies(t -> assertThat(t.fail()).isTrue());
    }

    @Test
    void callbacksStillGoOutWhileUnreachable() throws Exception {
        AtomicInteger received = new AtomicInteger();
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/callback", ex -> {
            ex.getRequestBody().readAllBytes();
            received.incrementAndGet();
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        receiver.start();
        try {
            String taskId = createTask("called back", "http://127.0.0.1:" + receiver.getAddress().getPort()
                    + "/callback").json().path("data").path("taskId").asString();
            kie.unreachableFor(Duration.ofMinutes(5));

            await().atMost(Duration.ofSeconds(10)).until(() -> kie.callbacksAccepted(taskId) == 1);
            assertThat(received.get()).isEqualTo(1);
            assertThat(TestHttp.acceptsConnections(kie.baseUrl())).isFalse();

            kie.unreachableFor(Duration.ZERO);
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                    .until(() -> TestHttp.acceptsConnections(kie.baseUrl()));
        } finally {
            receiver.stop(0);
        }
    }
}
