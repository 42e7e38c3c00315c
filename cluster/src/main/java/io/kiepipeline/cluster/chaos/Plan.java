package io.kiepipeline.cluster.chaos;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

/**
 * The seeded schedule of a chaos run: the workload (deposits, jobs, hostile traffic) and the faults, each at a time
 * from the start. The same seed and sizes give the same plan, printed as a digest so that two runs can be compared.
 */
public record Plan(long seed, List<Deposit> deposits, List<Job> jobs, List<Hostile> hostile, List<Fault> faults,
                   long workloadMs) {

    /** The first deposits are spread this far apart; jobs start once they are sent. */
    static final long DEPOSIT_SPACING_MS = 10;

    /** When the first job is sent: after every user's first deposit. */
    public long firstJobAtMs() {
        return deposits.stream().filter(d -> !d.reference().endsWith("-b")).mapToLong(Deposit::atMs).max().orElse(0)
                + 2_000;
    }

    /** What KIE does with a job's task (emulator rules, matched on the job's prompt marker). */
    public enum KieBehaviour {
        ACCEPT, SLOW, FAIL, REJECT_IN_ENVELOPE, RATE_LIMITED_ONCE, SERVER_ERROR_ONCE, DUPLICATE_CALLBACK,
        CALLBACK_BEFORE_ACCEPT, NO_CALLBACK, ANSWER_AFTER_CLIENT_TIMEOUT, SERVER_ERROR_AFTER_CREATE;

        /**
         * Whether KIE produces a result for the job (it should succeed if no fault intervenes). A createTask answered
         * 5xx without a task is not sent again (KIE may have made it): the job fails at its deadline.
         */
        public boolean producesResult() {
            return switch (this) {
                case FAIL, REJECT_IN_ENVELOPE, SERVER_ERROR_ONCE -> false;
                case ACCEPT, SLOW, RATE_LIMITED_ONCE, DUPLICATE_CALLBACK, CALLBACK_BEFORE_ACCEPT, NO_CALLBACK,
                     ANSWER_AFTER_CLIENT_TIMEOUT, SERVER_ERROR_AFTER_CREATE -> true;
            };
        }

        /** Whether the client cannot know if KIE made the task (the documented ambiguous submissions). */
        public boolean ambiguous() {
            return this == ANSWER_AFTER_CLIENT_TIMEOUT || this == SERVER_ERROR_AFTER_CREATE
                    || this == SERVER_ERROR_ONCE;
        }
    }

    /** What Telegram does with the job's result send. */
    public enum TelegramBehaviour { ANSWER, TOO_MANY_REQUESTS_ONCE, SERVER_ERROR_ONCE }

    public enum Channel { API, TELEGRAM }

    public record Deposit(long atMs, long userId, long amountMinor, String reference) {
    }

    /**
     * One job. {@code marker} is unique in its prompt: the emulators and the database are matched on it.
     *
     * @param twice      API: the same request sent again (Idempotency-Key); Telegram: the update re-delivered
     */
    public record Job(int n, long atMs, Channel channel, long userId, long chatId, String model, String marker,
                      KieBehaviour kie, TelegramBehaviour telegram, boolean twice) {
        public String prompt() {
            return "a fox " + marker + " " + kie.name().toLowerCase();
        }
    }

    public enum HostileKind {
        FORGED_CALLBACK, CALLBACK_WITHOUT_TOKEN, MALFORMED_CALLBACK, CALLBACK_FOR_NO_JOB, API_NOT_JSON,
        API_MISSING_FIELDS, API_UNKNOWN_MODEL, API_OVERSIZED, API_WRONG_TOKEN, API_NEGATIVE_DEPOSIT,
        TELEGRAM_GARBAGE, POISON_RECORD
    }

    public record Hostile(int n, long atMs, HostileKind kind) {
    }

    public enum FaultKind { KILL_INSTANCE, RESTART_BROKER, RESTART_POSTGRES, KIE_UNREACHABLE, TELEGRAM_UNREACHABLE }

    /** A fault: at {@code atMs}, to {@code target}, for {@code downMs} (then restarted or reachable again). */
    public record Fault(long atMs, FaultKind kind, String target, long downMs) {
    }

    /**
     * @param instances the service instances that may be killed ({@code ledger-1}, …)
     * @param brokers   Kafka brokers
     * @param models    every model id, and which of them need an image input
     */
    public static Plan make(long seed, int jobs, int kills, int hostileCount, long workloadMs, List<String> instances,
                            int brokers, List<String> models, List<String> imageModels) {
        Random r = new Random(seed);
        int users = Math.max(5, jobs / 8);
        long firstUser = 700_000_000L + Math.floorMod(seed, 1000) * 100_000L;
        List<Deposit> deposits = new ArrayList<>();
        for (int u = 0; u < users; u++) {
            long userId = firstUser + u;
            // one user in ten can pay for only a few jobs: the rest are refused for funds, and charged nothing
            long amount = u % 10 == 9 ? 2_000 : 1_000_000;
            // a client tops up its users at a steady pace, not all in one burst of connections
            deposits.add(new Deposit(u * DEPOSIT_SPACING_MS, userId, amount, "chaos-" + seed + "-deposit-" + u));
            if (u % 7 == 3) {
                // a second top-up later in the run, sent through a fault window perhaps
                deposits.add(new Deposit(r.nextLong(workloadMs / 2, workloadMs), userId, 50_000,
                        "chaos-" + seed + "-deposit-" + u + "-b"));
            }
        }
        List<String> textModels = models.stream().filter(m -> !imageModels.contains(m)).toList();
        KieBehaviour[] behaviours = KieBehaviour.values();
        int[] weights = {40, 4, 10, 4, 7, 7, 7, 5, 8, 4, 4};
        int total = java.util.Arrays.stream(weights).sum();
        List<Job> planned = new ArrayList<>();
        for (int n = 0; n < jobs; n++) {
            int pick = r.nextInt(total);
            int b = 0;
            while (pick >= weights[b]) {
                pick -= weights[b++];
            }
            KieBehaviour kie = behaviours[b];
            Channel channel = r.nextInt(100) < 25 ? Channel.TELEGRAM : Channel.API;
            String model = channel == Channel.TELEGRAM ? textModels.get(r.nextInt(textModels.size()))
                    : models.get(r.nextInt(models.size()));
            int t = r.nextInt(100);
            TelegramBehaviour telegram = t < 8 ? TelegramBehaviour.TOO_MANY_REQUESTS_ONCE
                    : t < 14 ? TelegramBehaviour.SERVER_ERROR_ONCE : TelegramBehaviour.ANSWER;
            long userId = firstUser + r.nextInt(users);
            long chatId = 8_000_000_000L + Math.floorMod(seed, 1000) * 1_000_000L + n;
            planned.add(new Job(n, (long) (workloadMs * 0.9 * n / Math.max(1, jobs)) + r.nextInt(500), channel,
                    userId, chatId, model, "chaos#" + seed + "#" + n + "#", kie, telegram, r.nextInt(100) < 10));
        }
        List<Hostile> hostile = new ArrayList<>();
        HostileKind[] kinds = HostileKind.values();
        for (int n = 0; n < hostileCount; n++) {
            // a third are garbage Telegram updates; the rest spread over the HTTP kinds (POISON_RECORD is last)
            HostileKind kind = n < 3 ? HostileKind.POISON_RECORD : r.nextInt(3) == 0 ? HostileKind.TELEGRAM_GARBAGE
                    : kinds[r.nextInt(kinds.length - 2)];
            hostile.add(new Hostile(n, n < 3 ? 0 : r.nextLong(workloadMs), kind));
        }
        hostile.sort(Comparator.comparingLong(Hostile::atMs));
        List<Fault> faults = new ArrayList<>();
        for (int k = 0; k < kills && !instances.isEmpty(); k++) {
            faults.add(new Fault(0, FaultKind.KILL_INSTANCE, instances.get(r.nextInt(instances.size())),
                    2_000 + r.nextInt(6_000)));
        }
        // at least one of each other fault; more in longer runs
        for (int i = 0; i <= kills / 10; i++) {
            faults.add(new Fault(0, FaultKind.RESTART_BROKER, "kafka-" + (1 + r.nextInt(brokers)),
                    4_000 + r.nextInt(6_000)));
            faults.add(new Fault(0, FaultKind.KIE_UNREACHABLE, "kie", 8_000 + r.nextInt(10_000)));
            faults.add(new Fault(0, FaultKind.TELEGRAM_UNREACHABLE, "telegram", 8_000 + r.nextInt(10_000)));
        }
        for (int i = 0; i <= kills / 20; i++) {
            faults.add(new Fault(0, FaultKind.RESTART_POSTGRES, "postgres", 3_000 + r.nextInt(5_000)));
        }
        java.util.Collections.shuffle(faults, r);
        // spread over the middle of the workload, in order: each fault starts after the one before it healed
        List<Fault> timed = new ArrayList<>();
        long span = (long) (workloadMs * 0.75);
        for (int i = 0; i < faults.size(); i++) {
            Fault f = faults.get(i);
            long at = (long) (workloadMs * 0.1) + span * i / faults.size() + r.nextInt(1_000);
            timed.add(new Fault(at, f.kind(), f.target(), f.downMs()));
        }
        return new Plan(seed, List.copyOf(deposits), List.copyOf(planned), List.copyOf(hostile), List.copyOf(timed),
                workloadMs);
    }

    /** A short fingerprint of everything planned: equal for equal seeds and sizes. */
    public String digest() {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha.digest()).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
