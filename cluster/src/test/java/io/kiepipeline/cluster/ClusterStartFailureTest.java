package io.kiepipeline.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@code scripts/cluster up} when a service cannot start: it says why in its own output (where a CI log keeps it, after
 * the cluster's folder is gone) and stops everything it started, promptly. A cluster with a service of no instances
 * (here, most of them) used to hang in that stop until its caller's timeout, and only the caller's timeout was
 * reported.
 */
class ClusterStartFailureTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final int PORT_BASE = 30000;
    /** ledger-1's port: {@code CLUSTER_PORT_BASE} + 200 + 1. */
    private static final int LEDGER_PORT = PORT_BASE + 201;

    @Test
    void aStartThatFailsSaysWhyAndStopsWhatItStarted() throws IOException {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("CLUSTER_DIR", ROOT.resolve("cluster/target/cluster-failed-start").toString());
        env.put("CLUSTER_PORT_BASE", Integer.toString(PORT_BASE));
        env.put("INSTANCES", "ledger=1,orchestrator=0,kie-worker=0,delivery-worker=0,bot=0,analytics=0,gateway=0");
        env.put("SERVICE_JAVA_OPTS", "-XX:TieredStopAtLevel=1");
        ClusterControl cluster = new ClusterControl(ROOT, env);
        cluster.wipe();
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), LEDGER_PORT));

            assertThatThrownBy(cluster::up)
                    .hasMessageContaining("scripts/cluster up --detach failed")
                    .hasMessageContaining("ledger-1 exited while starting")
                    .as("the reason, from the end of the service's log")
                    .hasMessageContaining("Port " + LEDGER_PORT + " was already in use");
        } finally {
            cluster.down();
        }

        try (Stream<Path> pids = Files.list(cluster.log("x").getParent().resolveSibling("pids"))) {
            assertThat(pids).as("no process of the failed start is left").isEmpty();
        }
        for (int port : new int[] {PORT_BASE + 10, PORT_BASE + 21, PORT_BASE + 40}) {
            assertThat(listening(port)).as("port %d (PostgreSQL, Kafka, the emulators) closed", port).isFalse();
        }
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
