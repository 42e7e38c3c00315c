package io.kiepipeline.cluster;

import java.io.File;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * One Kafka node of the cluster mode, as its own OS process: a KRaft broker and controller (Kafka's own server
 * classes), one of {@code KAFKA_BROKERS} voters. Its log directory survives restarts; SIGTERM shuts it down in a
 * controlled way (leadership moves to the other brokers first), SIGKILL is a crash.
 *
 * <p>Started by {@code scripts/cluster} with: {@code KAFKA_NODE_ID}, {@code KAFKA_LOG_DIR}, {@code KAFKA_CLUSTER_ID}
 * (the same for every node), {@code KAFKA_VOTERS} ({@code 1@127.0.0.1:port,...}), {@code KAFKA_PORT},
 * {@code KAFKA_CONTROLLER_PORT}, {@code KAFKA_BROKERS} and {@code KAFKA_PARTITIONS}.
 */
public final class KafkaNode {
    private KafkaNode() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> env = System.getenv();
        int nodeId = Integer.parseInt(need(env, "KAFKA_NODE_ID"));
        int brokers = Integer.parseInt(env.getOrDefault("KAFKA_BROKERS", "1"));
        Path logDir = Path.of(need(env, "KAFKA_LOG_DIR")).toAbsolutePath();
        Files.createDirectories(logDir);
        KafkaConfig config = new KafkaConfig(settings(nodeId, brokers, logDir, need(env, "KAFKA_VOTERS"),
                Integer.parseInt(need(env, "KAFKA_PORT")), Integer.parseInt(need(env, "KAFKA_CONTROLLER_PORT")),
                Integer.parseInt(env.getOrDefault("KAFKA_PARTITIONS", "12"))));
        if (!new File(logDir.toFile(), "meta.properties").exists()) {
            new Formatter().setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                    .setNodeId(nodeId).setClusterId(need(env, "KAFKA_CLUSTER_ID"))
                    .setControllerListenerName("CONTROLLER").setMetadataLogDirectory(config.metadataLogDir())
                    .setDirectories(List.of(logDir.toString()))
                    .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION).run();
        }
        KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.shutdown();
            server.awaitShutdown();
            stopped.countDown();
        }, "kafka-node-shutdown"));
        server.startup();
        System.out.println("kafka-" + nodeId + " up on 127.0.0.1:" + env.get("KAFKA_PORT"));
        stopped.await();
    }

    /**
     * The broker's settings: replication factor {@code min(3, brokers)} for every topic (ours and Kafka's internal
     * ones), and {@code min.insync.replicas} 2 from three brokers on, so an acks=all write survives the loss of any
     * one broker.
     */
    static Map<String, Object> settings(int nodeId, int brokers, Path logDir, String voters, int port,
                                        int controllerPort, int partitions) {
        String replication = Integer.toString(Math.min(3, brokers));
        String minIsr = Integer.toString(brokers >= 3 ? 2 : 1);
        Map<String, Object> p = new HashMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", Integer.toString(nodeId));
        p.put("controller.quorum.voters", voters);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("log.dirs", logDir.toString());
        p.put("num.partitions", Integer.toString(partitions));
        p.put("default.replication.factor", replication);
        p.put("min.insync.replicas", minIsr);
        p.put("offsets.topic.replication.factor", replication);
        p.put("offsets.topic.num.partitions", "12");
        p.put("transaction.state.log.replication.factor", replication);
        p.put("transaction.state.log.min.isr", minIsr);
        p.put("transaction.state.log.num.partitions", "12");
        p.put("share.coordinator.state.topic.replication.factor", replication);
        p.put("share.coordinator.state.topic.min.isr", minIsr);
        p.put("group.initial.rebalance.delay.ms", "0");
        // a broker that comes back catches up and takes its partitions' leadership back
        p.put("auto.leader.rebalance.enable", "true");
        p.put("unclean.leader.election.enable", "false");
        p.put("log.retention.hours", "168");
        p.put("log.cleaner.dedupe.buffer.size", Integer.toString(2 * 1024 * 1024));
        return p;
    }

    private static String need(Map<String, String> env, String name) {
        String v = env.get(name);
        if (v == null || v.isBlank()) {
            throw new IllegalStateException(name + " is not set");
        }
        return v;
    }
}
