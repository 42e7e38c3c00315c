package io.kiepipeline.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Drives a cluster through {@code scripts/cluster}, the same script people use: tests and the chaos suite never
 * start or kill a process any other way.
 *
 * @param root        the repository (where {@code scripts/cluster} is)
 * @param environment the variables of every call: CLUSTER_DIR, INSTANCES, KAFKA_BROKERS, CLUSTER_PORT_BASE and
 *                    the services' settings
 */
public record ClusterControl(Path root, Map<String, String> environment) {
    public ClusterControl {
        environment = Map.copyOf(environment);
    }

    public Path dir() {
        return Path.of(environment.get("CLUSTER_DIR"));
    }

    /** Deletes the cluster's folder (data, logs, tokens), for a run that must start from nothing. */
    public void wipe() {
        Path dir = dir();
        if (!Files.exists(dir)) {
            return;
        }
        try (java.util.stream.Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new IllegalStateException("cannot delete " + dir, e);
        }
    }

    public void up() {
        run(Duration.ofMinutes(6), "up", "--detach");
    }

    public void down() {
        run(Duration.ofMinutes(5), "down");
    }

    /** SIGKILL: a crash. */
    public void kill(String name) {
        run(Duration.ofSeconds(30), "kill", name);
    }

    /** SIGTERM, then SIGKILL after the grace period (STOP_GRACE): a deploy. Returns what the script said. */
    public String stop(String name) {
        return run(Duration.ofMinutes(2), "stop", name);
    }

    /** Starts a process that is not running and waits until it is healthy. */
    public void start(String name) {
        run(Duration.ofMinutes(5), "start", name);
    }

    /** Waits until every process is healthy. */
    public void awaitHealthy() {
        run(Duration.ofMinutes(5), "wait");
    }

    public List<String> names() {
        return run(Duration.ofSeconds(30), "names").lines().filter(l -> !l.isBlank()).toList();
    }

    public String status() {
        return run(Duration.ofSeconds(60), "status");
    }

    public int port(String name) {
        return Integer.parseInt(run(Duration.ofSeconds(30), "port", name).trim());
    }

    /** The tokens the cluster runs with (generated once into its secrets.env). */
    public Map<String, String> secrets() {
        Map<String, String> s = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(dir().resolve("secrets.env"))) {
                int eq = line.indexOf('=');
                if (eq > 0) {
                    s.put(line.substring(0, eq), line.substring(eq + 1));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("the cluster has no secrets.env yet", e);
        }
        return s;
    }

    /**
     * The peak resident set ({@code VmHWM}, MiB) of each running service instance (not PostgreSQL, the brokers or the
     * emulators), by name, as Linux counts it for the process since it started.
     */
    public Map<String, Long> peakResidentMiB() {
        Map<String, Long> peaks = new LinkedHashMap<>();
        for (String name : names()) {
            if (name.equals("postgres") || name.startsWith("kafka-") || name.equals("emulators")) {
                continue;
            }
            try {
                String pid = Files.readString(dir().resolve("pids").resolve(name + ".pid")).trim();
                for (String line : Files.readAllLines(Path.of("/proc", pid, "status"))) {
                    if (line.startsWith("VmHWM:")) {
                        peaks.put(name, Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024);
                    }
                }
            } catch (IOException | RuntimeException e) {
                peaks.put(name, -1L); // not running, or not on Linux
            }
        }
        return peaks;
    }

    public Path log(String name) {
        return dir().resolve("logs").resolve(name + ".log");
    }

    private String run(Duration timeout, String... args) {
        ProcessBuilder pb = new ProcessBuilder();
        pb.command().add(root.resolve("scripts/cluster").toString());
        pb.command().addAll(List.of(args));
        pb.directory(root.toFile());
        pb.environment().putAll(environment);
        pb.redirectErrorStream(true);
        try {
            Path out = Files.createTempFile("cluster-", ".out");
            try {
                pb.redirectOutput(out.toFile());
                Process p = pb.start();
                if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    p.destroyForcibly();
                    throw new IllegalStateException("scripts/cluster " + String.join(" ", args) + " took longer than "
                            + timeout + ":\n" + Files.readString(out, StandardCharsets.UTF_8));
                }
                String text = Files.readString(out, StandardCharsets.UTF_8);
                if (p.exitValue() != 0) {
                    throw new IllegalStateException("scripts/cluster " + String.join(" ", args) + " failed ("
                            + p.exitValue() + "):\n" + text);
                }
                return text;
            } finally {
                Files.deleteIfExists(out);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run scripts/cluster", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
