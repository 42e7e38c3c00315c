package io.kiepipeline.cluster.chaos;

import java.util.ArrayList;
import java.util.List;

/** What a chaos run measured: every invariant with its figure, and what happened. */
public final class Report {
    /** One line of the table: an invariant (ok must hold) or a figure (always ok, for the record). */
    public record Row(String name, String figure, boolean ok, boolean invariant) {
    }

    private final List<Row> rows = new ArrayList<>();
    private final List<String> log = new ArrayList<>();
    private final List<String> faults = new ArrayList<>();
    private final List<String> counts = new ArrayList<>();

    void invariant(String name, long figure, long expected) {
        rows.add(new Row(name, Long.toString(figure), figure == expected, true));
    }

    void invariantAtMost(String name, long figure, long max) {
        rows.add(new Row(name, figure + " (at most " + max + ")", figure <= max, true));
    }

    void figure(String name, Object figure) {
        rows.add(new Row(name, String.valueOf(figure), true, false));
    }

    List<String> log() {
        return log;
    }

    List<String> faults() {
        return faults;
    }

    List<String> counts() {
        return counts;
    }

    public List<Row> rows() {
        return List.copyOf(rows);
    }

    public List<Row> violations() {
        return rows.stream().filter(r -> !r.ok()).toList();
    }

    public boolean ok() {
        return violations().isEmpty();
    }

    public String render() {
        StringBuilder s = new StringBuilder();
        s.append("\n=== chaos run ===\n");
        log.forEach(l -> s.append(l).append('\n'));
        s.append("\nfaults injected:\n");
        faults.forEach(f -> s.append("  ").append(f).append('\n'));
        s.append("\nworkload:\n");
        counts.forEach(c -> s.append("  ").append(c).append('\n'));
        s.append(String.format("%n| %-66s | %-22s | %-4s |%n", "invariant / figure", "value", "ok"));
        s.append("|").append("-".repeat(68)).append("|").append("-".repeat(24)).append("|------|\n");
        for (Row r : rows) {
            s.append(String.format("| %-66s | %-22s | %-4s |%n", r.name(), r.figure(),
                    r.invariant() ? (r.ok() ? "yes" : "NO") : "")); 
        }
        s.append(ok() ? "\nchaos: every invariant holds\n" : "\nchaos: " + violations().size() + " VIOLATION(S)\n");
        return s.toString();
    }
}
