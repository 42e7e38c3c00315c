package io.kiepipeline.kieworker.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Over a real socket: a request that could not connect is "not sent" (safe to send again); one that was sent and
 * whose answer did not come in time, or whose connection was cut while waiting, is ambiguous (KIE may have made the
 * task).
 */
class KieClientTransportTest {
    private HttpServer server;
    private final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void stop() {
        release.countDown();
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    void takesARefusedConnectionAsNotSent() throws IOException {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        KieClient client = new KieClient("http://127.0.0.1:" + closed, "key", Duration.ofSeconds(2));

        KieResponse r = client.createTask("m", null, Map.of("prompt", "x"));

        assertThat(r.transport()).isEqualTo(KieResponse.Transport.NOT_SENT);
        assertThat(r.createTaskOutcome()).isEqualTo(CreateTaskOutcome.NOT_CREATED);
    }

    @Test
    void takesAnAnswerThatComesAfterTheTimeoutAsAmbiguous() throws IOException {
        AtomicInteger received = new AtomicInteger();
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/api/v1/jobs/createTask", ex -> {
            received.incrementAndGet();
            ex.getRequestBody().readAllBytes();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ex.close();
        });
        server.start();
        KieClient client = new KieClient("http://127.0.0.1:" + server.getAddress().getPort(), "key",
                Duration.ofMillis(300));

        KieResponse r = client.createTask("m", null, Map.of("prompt", "x"));

        assertThat(received.get()).as("KIE got the request").isEqualTo(1);
        assertThat(r.transport()).isEqualTo(KieResponse.Transport.ANSWER_LOST);
        assertThat(r.createTaskOutcome()).isEqualTo(CreateTaskOutcome.AMBIGUOUS);
    }

    @Test
    void takesAConnectionCutWhileWaitingAsAmbiguous() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            Thread peer = Thread.ofVirtual().start(() -> {
                try (var conn = socket.accept()) {
                    // read the request's first bytes, then hang up without answering
                    conn.getInputStream().read(new byte[1024]);
                } catch (IOException e) {
                    // the test's assertion says what matters
                }
            });
            KieClient client = new KieClient("http://127.0.0.1:" + socket.getLocalPort(), "key",
                    Duration.ofSeconds(5));

            KieResponse r = client.createTask("m", null, Map.of("prompt", "x"));

            peer.join();
            assertThat(r.transport()).isEqualTo(KieResponse.Transport.ANSWER_LOST);
            assertThat(r.createTaskOutcome()).isEqualTo(CreateTaskOutcome.AMBIGUOUS);
        }
    }
}
