package io.kiepipeline.cluster.chaos;

import io.kiepipeline.cluster.ClusterControl;
import java.util.List;
import java.util.Map;

/** Where a cluster answers, and the tokens it accepts. */
record Endpoints(List<String> gateways, String kie, String telegram, String jdbcUrl, String kafka,
                 Map<String, String> secrets) {

    static Endpoints of(ClusterControl cluster) {
        List<String> names = cluster.names();
        List<String> gateways = names.stream().filter(n -> n.startsWith("gateway-"))
                .map(n -> "http://127.0.0.1:" + cluster.port(n)).toList();
        int emulators = cluster.port("emulators");
        String kafka = String.join(",", names.stream().filter(n -> n.startsWith("kafka-"))
                .map(n -> "127.0.0.1:" + cluster.port(n)).toList());
        return new Endpoints(gateways, "http://127.0.0.1:" + emulators, "http://127.0.0.1:" + (emulators + 1),
                "jdbc:postgresql://127.0.0.1:" + cluster.port("postgres") + "/postgres", kafka, cluster.secrets());
    }

    String gateway(int i) {
        return gateways.get(Math.floorMod(i, gateways.size()));
    }

    Map<String, String> api() {
        return Map.of("Authorization", "Bearer " + secrets.get("API_TOKEN"));
    }

    Map<String, String> admin() {
        return Map.of("Authorization", "Bearer " + secrets.get("ADMIN_TOKEN"));
    }
}
