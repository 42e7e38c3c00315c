package io.kiepipeline.gateway.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;

class BackendsFailoverTest {
    private final List<HttpServer> servers = new ArrayList<>();

    @AfterEach
    void stop() {
        servers.forEach(s -> s.stop(0));
    }

    @Test
    void readsFromAnotherLedgerInstanceWhenOneIsDownOrFailing() throws IOException {
        String dead = "http://127.0.0.1:" + closedPort();
        String failing = serve(503, "{\"error\":\"shutting down\"}", new AtomicInteger());
        AtomicInteger served = new AtomicInteger();
        String alive = serve(200, "{\"userId\":7,\"availableMinor\":500}", served);
        Backends backends = new Backends(RestClient.builder(), "http://127.0.0.1:1", dead + "," + failing + ", " + alive,
                "http://127.0.0.1:1");

        for (int i = 0; i < 6; i++) {
            assertThat(backends.account(7)).containsEntry("availableMinor", 500);
        }
        assertThat(served).hasValue(6);
    }

    @Test
    void spreadsReadsOverHealthyInstances() throws IOException {
        AtomicInteger first = new AtomicInteger();
        AtomicInteger second = new AtomicInteger();
        Backends backends = new Backends(RestClient.builder(), "http://127.0.0.1:1",
                serve(200, "{\"userId\":7}", first) + "," + serve(200, "{\"userId\":7}", second), "http://127.0.0.1:1");

        for (int i = 0; i < 10; i++) {
            backends.account(7);
        }
        assertThat(first).hasValue(5);
        assertThat(second).hasValue(5);
    }

    @Test
    void failsWithTheLastErrorWhenNoInstanceAnswers() throws IOException {
        Backends backends = new Backends(RestClient.builder(), "http://127.0.0.1:1",
                "http://127.0.0.1:" + closedPort() + ",http://127.0.0.1:" + closedPort(), "http://127.0.0.1:1");

        assertThatThrownBy(() -> backends.account(7)).isInstanceOf(ResourceAccessException.class);
    }

    private String serve(int status, String body, AtomicInteger served) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> {
            if (status == 200) {
                served.incrementAndGet();
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(status, bytes.length);
            ex.getResponseBody().write(bytes);
            ex.close();
        });
        server.start();
        servers.add(server);
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
