package io.kiepipeline.cluster.chaos;

import io.kiepipeline.cluster.ClusterControl;
import io.kiepipeline.cluster.chaos.Plan.Job;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import tools.jackson.databind.JsonNode;

/**
 * Waits (bounded) until every job of the run is final, then checks every invariant of the money and the jobs against
 * PostgreSQL, the emulators (what KIE and Telegram received) and the dead-letter topics.
 */
final class Audit {
    private static final Set<String> FINAL = Set.of("DELIVERED", "FAILED", "REJECTED");
    private static final Set<String> MEDIA = Set.of("sendPhoto", "sendVideo", "sendAudio", "sendDocument",
            "sendAnimation", "sendMediaGroup");

    private final ChaosRun run;
    private final Plan plan;
    private final Endpoints ep;
    private final Clients http;
    private final ClusterControl cluster;
    private final Pattern marker;

    /**
     * A job row of orchestrator.job.
     *
     * @param lateResult the job timed out, then KIE finished its task: the result is sent free (ADR 0010)
     */
    record JobRow(String jobId, int n, String status, String holdState, long priceMinor, long chatId,
                  String deliveryFailure, String reason, boolean lateResult) {
        boolean isFinal() {
            return FINAL.contains(status) || ("SUCCEEDED".equals(status) && deliveryFailure != null);
        }

        boolean succeeded() {
            return "SUCCEEDED".equals(status) || "DELIVERED".equals(status);
        }
    }

    Audit(ChaosRun run, Plan plan, Endpoints ep, Clients http, ClusterControl cluster) {
        this.run = run;
        this.plan = plan;
        this.ep = ep;
        this.http = http;
        this.cluster = cluster;
        this.marker = Pattern.compile("chaos#" + plan.seed() + "#(\\d+)#");
    }

    Report settleAndCheck(Duration settle) throws Exception {
        Report report = new Report();
        long deadline = System.currentTimeMillis() + settle.toMillis();
        List<JobRow> jobs;
        long settleStart = System.currentTimeMillis();
        while (true) {
            jobs = jobs();
            long open = jobs.stream().filter(j -> !j.isFinal()).count() + placedHolds();
            boolean allThere = jobs.stream().map(JobRow::n).distinct().count() >= expectedJobs();
            if ((open == 0 && allThere) || System.currentTimeMillis() > deadline) {
                break;
            }
            ChaosRun.sleep(2_000);
        }
        run.note("settled in " + (System.currentTimeMillis() - settleStart) / 1000 + " s (at most "
                + settle.toSeconds() + " s)");
        report.faults().addAll(run.faultsDone());
        counts(report, jobs);
        jobInvariants(report, jobs);
        moneyInvariants(report);
        kieInvariants(report, jobs);
        deliveryInvariants(report, jobs);
        hostileInvariants(report);
        deadLetters(report);
        telegramPolling(report);
        return report;
    }

    /** Planned jobs a client had accepted: by the API (a job id) or by Telegram (the update queued). */
    private long expectedJobs() {
        return run.jobIds.size() + run.telegramAccepted.size();
    }

    private void counts(Report report, List<JobRow> jobs) {
        Map<Plan.Channel, Long> byChannel = plan.jobs().stream()
                .collect(Collectors.groupingBy(Job::channel, TreeMap::new, Collectors.counting()));
        report.counts().add("seed " + plan.seed() + ", plan digest " + plan.digest());
        report.counts().add(plan.jobs().size() + " jobs planned " + byChannel + ", over "
                + plan.jobs().stream().map(Job::model).distinct().count() + " models; "
                + plan.jobs().stream().filter(Job::twice).count() + " sent twice (same key / re-delivered update)");
        report.counts().add(plan.deposits().size() + " deposits, " + run.depositsAccepted.size() + " accepted");
        report.counts().add("KIE behaviours: " + plan.jobs().stream()
                .collect(Collectors.groupingBy(Job::kie, TreeMap::new, Collectors.counting())));
        report.counts().add("hostile: " + run.hostileOutcomes.stream()
                .collect(Collectors.groupingBy(ChaosRun.HostileOutcome::kind, TreeMap::new, Collectors.counting())));
        report.counts().add("jobs by final status: " + jobs.stream()
                .collect(Collectors.groupingBy(JobRow::status, TreeMap::new, Collectors.counting())));
    }

    private void jobInvariants(Report report, List<JobRow> jobs) {
        report.invariant("planned jobs unaccounted for (neither accepted nor refused)", plan.jobs().size()
                - run.jobIds.size() - run.telegramAccepted.size() - run.telegramDeclined.size()
                - run.notAccepted.size(), 0);
        report.figure("Telegram jobs the bot declined before confirmation (balance, KIE unavailable)",
                run.telegramDeclined.size());
        report.invariant("workload steps that failed in the client", run.clientErrors.get(), 0);
        report.invariant("requests never accepted although retried through outages", run.notAccepted.size(), 0);
        run.notAccepted.forEach((n, why) -> run.note("not accepted: job " + n + ": " + why));
        report.invariant("same Idempotency-Key answered with another job", run.idempotencyMismatches.get(), 0);
        Map<Integer, Long> perPlanned = jobs.stream().collect(Collectors.groupingBy(JobRow::n, Collectors.counting()));
        report.invariant("planned jobs that became more than one job", perPlanned.values().stream()
                .filter(c -> c > 1).count(), 0);
        report.invariant("accepted jobs missing from the orchestrator", expectedJobs() - perPlanned.size(), 0);
        List<JobRow> open = jobs.stream().filter(j -> !j.isFinal()).toList();
        open.stream().limit(20).forEach(j -> run.note("not final: " + j));
        report.invariant("jobs not final after settling", open.size(), 0);
        Map<Integer, Job> planned = plan.jobs().stream().collect(Collectors.toMap(Job::n, j -> j));
        long resultButFailed = jobs.stream().filter(j -> "FAILED".equals(j.status())
                && planned.get(j.n()).kie().producesResult()).count();
        report.figure("jobs KIE would have finished that failed (faults, deadlines)", resultButFailed);
        jobs.stream().filter(j -> "FAILED".equals(j.status()) && planned.get(j.n()).kie().producesResult())
                .limit(10).forEach(j -> run.note("failed although KIE would succeed: " + j + " "
                        + planned.get(j.n()).kie()));
        report.figure("jobs rejected (insufficient funds and the like)", jobs.stream()
                .filter(j -> "REJECTED".equals(j.status())).count());
        long noResultButSucceeded = jobs.stream().filter(j -> j.succeeded() && !planned.get(j.n()).kie()
                .producesResult()).count();
        report.invariant("jobs that succeeded although KIE failed their task", noResultButSucceeded, 0);
    }

    private void moneyInvariants(Report report) throws SQLException {
        try (Connection c = connect()) {
            report.invariant("holds still placed", count(c, "select count(*) from ledger.hold where status = 'PLACED'"),
                    0);
            report.invariant("holds without a job", count(c, """
                    select count(*) from ledger.hold h left join orchestrator.job j on j.job_id = h.job_id
                    where j.job_id is null"""), 0);
            report.invariant("captured holds of jobs without a result", count(c, """
                    select count(*) from ledger.hold h join orchestrator.job j on j.job_id = h.job_id
                    where h.status = 'CAPTURED' and j.status not in ('SUCCEEDED', 'DELIVERED')"""), 0);
            report.invariant("failed jobs whose hold was not released", count(c, """
                    select count(*) from ledger.hold h join orchestrator.job j on j.job_id = h.job_id
                    where j.status in ('FAILED', 'REJECTED') and h.status not in ('RELEASED', 'REJECTED')"""), 0);
            report.invariant("released holds of jobs that succeeded", count(c, """
                    select count(*) from ledger.hold h join orchestrator.job j on j.job_id = h.job_id
                    where h.status = 'RELEASED' and j.status in ('SUCCEEDED', 'DELIVERED')"""), 0);
            report.invariant("paid jobs that succeeded without a captured hold", count(c, """
                    select count(*) from orchestrator.job j where j.price_minor > 0
                    and j.status in ('SUCCEEDED', 'DELIVERED') and not exists (select 1 from ledger.hold h
                    where h.job_id = j.job_id and h.status = 'CAPTURED')"""), 0);
            report.invariant("captured amounts different from the job's price", count(c, """
                    select count(*) from ledger.hold h join orchestrator.job j on j.job_id = h.job_id
                    where h.status = 'CAPTURED' and h.amount_minor <> j.price_minor"""), 0);
            report.invariant("holds of free jobs", count(c, """
                    select count(*) from ledger.hold h join orchestrator.job j on j.job_id = h.job_id
                    where j.price_minor = 0"""), 0);
            report.invariant("accounts where deposits - debits <> available + held + captured", count(c, """
                    select count(*) from ledger.account
                    where deposited_minor - debited_minor <> available_minor + held_minor + captured_minor"""), 0);
            report.invariant("accounts with money still held", count(c,
                    "select count(*) from ledger.account where held_minor <> 0"), 0);
            report.invariant("accounts whose journal differs from their balance", count(c, """
                    select count(*) from ledger.account a where available_minor <> coalesce((select sum(amount_minor)
                    from ledger.journal_entry e where e.account = 'user:' || a.user_id || ':available'), 0)
                    or held_minor <> coalesce((select sum(amount_minor) from ledger.journal_entry e
                    where e.account = 'user:' || a.user_id || ':held'), 0)"""), 0);
            report.invariant("sum of the whole journal (minor units)",
                    count(c, "select coalesce(sum(amount_minor), 0) from ledger.journal_entry"), 0);
            report.invariant("journal transactions that do not balance", count(c, """
                    select count(*) from (select transaction_id from ledger.journal_entry group by transaction_id
                    having sum(amount_minor) <> 0) t"""), 0);
            report.invariant("captured in accounts <> platform revenue in the journal", count(c, """
                    select (select coalesce(sum(captured_minor), 0) from ledger.account)
                         - (select coalesce(sum(amount_minor), 0) from ledger.journal_entry
                            where account = 'platform:revenue')"""), 0);
            long accepted = run.depositsAccepted.values().stream().mapToLong(Long::longValue).sum();
            long applied = count(c, "select coalesce(sum(amount_minor), 0) from ledger.deposit where reference like ?",
                    "chaos-" + plan.seed() + "-deposit-%");
            report.invariant("deposited (ledger) minus deposits accepted (API), minor units", applied - accepted, 0);
            report.invariant("deposits the API never accepted", run.depositsNotAccepted.size(), 0);
            report.figure("revenue captured (minor units)", count(c,
                    "select coalesce(sum(amount_minor), 0) from ledger.hold where status = 'CAPTURED'"));
            report.figure("holds captured / released", count(c,
                    "select count(*) from ledger.hold where status = 'CAPTURED'") + " / " + count(c,
                    "select count(*) from ledger.hold where status = 'RELEASED'"));
        }
    }

    private void kieInvariants(Report report, List<JobRow> jobs) {
        Map<Integer, Integer> tasksPerJob = new HashMap<>();
        for (JsonNode t : Clients.list(http.get(ep.kie() + "/control/tasks?promptContains=chaos%23" + plan.seed()
                + "%23", Map.of()).json())) {
            Matcher m = marker.matcher(t.path("input").path("prompt").asString(""));
            if (m.find()) {
                tasksPerJob.merge(Integer.parseInt(m.group(1)), 1, Integer::sum);
            }
        }
        Map<Integer, Job> planned = plan.jobs().stream().collect(Collectors.toMap(Job::n, j -> j));
        long twoTasks = tasksPerJob.entrySet().stream().filter(e -> e.getValue() > 1).count();
        long twoTasksAmbiguous = tasksPerJob.entrySet().stream().filter(e -> e.getValue() > 1
                && planned.get(e.getKey()).kie().ambiguous()).count();
        tasksPerJob.entrySet().stream().filter(e -> e.getValue() > 1).limit(10).forEach(e -> run.note(
                "job " + e.getKey() + " has " + e.getValue() + " KIE tasks (" + planned.get(e.getKey()).kie() + ")"));
        report.invariant("jobs with more than one KIE task, outside the ambiguous ones", twoTasks - twoTasksAmbiguous,
                0);
        report.figure("ambiguous submissions (KIE's answer lost) with a second task", twoTasksAmbiguous);
        report.invariant("jobs with more than two KIE tasks", tasksPerJob.values().stream().filter(c -> c > 2).count(),
                0);
        report.invariant("successful jobs without a KIE task of theirs", jobs.stream().filter(j -> j.succeeded()
                && !tasksPerJob.containsKey(j.n())).count(), 0);
        report.figure("KIE tasks created for the run", tasksPerJob.values().stream().mapToInt(i -> i).sum());
        JsonNode rate = http.get(ep.kie() + "/control/rate", Map.of()).json();
        int max = rate.path("maxTasks").asInt();
        if (max > 0) {
            report.invariantAtMost("KIE tasks created in any " + rate.path("windowMs").asLong() / 1000 + " s window",
                    rate.path("maxInAnyWindow").asLong(), max);
            report.invariant("createTask calls KIE refused with 429 past its window", rate.path("refused").asLong(), 0);
        }
    }

    private void deliveryInvariants(Report report, List<JobRow> jobs) {
        Map<Long, Integer> mediaPerChat = new HashMap<>();
        java.util.concurrent.atomic.AtomicInteger links = new java.util.concurrent.atomic.AtomicInteger();
        int index = 0;
        while (true) {
            List<JsonNode> page = Clients.list(http.get(ep.telegram() + "/control/sent?since=" + index, Map.of())
                    .json());
            if (page.isEmpty()) {
                break;
            }
            for (JsonNode s : page) {
                String method = s.path("method").asString();
                // the result as media, or as its link when Telegram could not fetch the media (delivery's fallback)
                boolean link = "sendMessage".equals(method) && s.path("text").asString("").contains("/files/result.");
                if (MEDIA.contains(method) || link) {
                    mediaPerChat.merge(s.path("chatId").asLong(), 1, Integer::sum);
                }
                if (link) {
                    links.incrementAndGet();
                }
            }
            index += page.size();
        }
        long delivered = jobs.stream().filter(j -> "DELIVERED".equals(j.status())).count();
        long deliveredNothing = jobs.stream().filter(j -> "DELIVERED".equals(j.status())
                && mediaPerChat.getOrDefault(j.chatId(), 0) == 0).count();
        long successNotDelivered = jobs.stream().filter(j -> "SUCCEEDED".equals(j.status())).count();
        report.figure("jobs delivered (of them as a link: Telegram could not fetch the media)", delivered + " ("
                + links.get() + ")");
        report.invariant("delivered jobs whose chat got no result", deliveredNothing, 0);
        report.invariant("successful jobs whose result never reached the chat", successNotDelivered, 0);
        report.figure("results sent more than once (repeats)", jobs.stream().filter(j -> "DELIVERED".equals(
                j.status()) && mediaPerChat.getOrDefault(j.chatId(), 0) > 1).count());
        report.invariant("results sent for jobs that did not succeed (late results apart)", jobs.stream()
                .filter(j -> !j.succeeded() && !j.lateResult() && mediaPerChat.getOrDefault(j.chatId(), 0) > 0)
                .count(), 0);
        // a job that timed out, whose task KIE then finished: its result goes to the chat, free (ADR 0010)
        report.figure("late results (timed out, then KIE finished): sent free", jobs.stream()
                .filter(j -> j.lateResult() && mediaPerChat.getOrDefault(j.chatId(), 0) > 0).count());
        report.invariant("late results charged (their hold not released)", jobs.stream()
                .filter(j -> j.lateResult() && !"RELEASED".equals(j.holdState()) && j.priceMinor() > 0).count(), 0);
    }

    private void hostileInvariants(Report report) throws SQLException {
        List<ChaosRun.HostileOutcome> outcomes = new ArrayList<>(run.hostileOutcomes);
        long accepted = outcomes.stream().filter(o -> o.status() >= 200 && o.status() < 300).count();
        List<ChaosRun.HostileOutcome> failed = outcomes.stream().filter(o -> (o.status() < 0 || o.status() >= 500)
                && !run.inOutage(o.at())).toList();
        failed.stream().limit(10).forEach(o -> run.note("hostile request failed outside an outage: " + o));
        report.figure("hostile requests sent", outcomes.size());
        report.figure("share of the workload inside a declared outage (a gateway down)",
                String.format("%.0f %%", 100 * run.outageShare(run.workloadMs)));
        // the check below needs a subject: enough hostile requests while every gateway was up. The gateways' outages
        // last as long as a restart takes, which on a slow host is twice as long: 29-35 % of the requests came outside
        // them there (about 60 % on a normal one), so a sixth (100 of 600) is asked, not half
        long outside = outcomes.stream().filter(o -> !run.inOutage(o.at())).count();
        report.figure("hostile requests sent outside any declared outage", outside);
        report.invariant("hostile requests outside outages under a sixth (the check below would have no subject)",
                outside >= outcomes.size() / 6 ? 0 : 1, 0);
        report.invariant("hostile requests accepted (2xx)", accepted, 0);
        report.invariant("hostile requests answered 5xx or not at all outside a declared outage", failed.size(), 0);
        report.figure("hostile requests answered 5xx or not at all during outages", outcomes.stream()
                .filter(o -> o.status() < 0 || o.status() >= 500).count() - failed.size());
        long answeredHostile = 0;
        for (long chat : new long[] {1, 5, -5}) {
            answeredHostile += Clients.list(http.get(ep.telegram() + "/control/sent?chatId=" + chat, Map.of()).json())
                    .size();
        }
        report.invariant("messages the bot sent to chats of updates no person sent", answeredHostile, 0);
        try (Connection c = connect()) {
            report.invariant("jobs or accounts created by hostile traffic", count(c, """
                    select (select count(*) from orchestrator.job where user_id in (1, 5, -3, -5)
                            or idempotency_key like 'hostile-%')
                         + (select count(*) from ledger.account where user_id in (1, 5, -3, -5))
                         + (select count(*) from ledger.deposit where reference like 'hostile-%')"""), 0);
        }
    }

    private void deadLetters(Report report) throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", ep.kafka());
        long poison = run.hostileOutcomes.stream().filter(o -> o.kind() == Plan.HostileKind.POISON_RECORD
                && o.status() != -1).count();
        try (Admin admin = Admin.create(p)) {
            Set<String> dlts = admin.listTopics().names().get(30, TimeUnit.SECONDS).stream()
                    .filter(t -> t.endsWith("-dlt")).collect(Collectors.toSet());
            Map<String, TopicDescription> described = admin.describeTopics(dlts).allTopicNames()
                    .get(30, TimeUnit.SECONDS);
            Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            described.values().forEach(d -> d.partitions().forEach(part -> {
                TopicPartition tp = new TopicPartition(d.name(), part.partition());
                earliest.put(tp, OffsetSpec.earliest());
                latest.put(tp, OffsetSpec.latest());
            }));
            var first = admin.listOffsets(earliest).all().get(30, TimeUnit.SECONDS);
            var last = admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS);
            Map<String, Long> perTopic = new TreeMap<>();
            last.forEach((tp, info) -> perTopic.merge(tp.topic(), info.offset() - first.get(tp).offset(), Long::sum));
            long poisonDead = perTopic.getOrDefault("ledger.commands-dlt", 0L);
            long others = perTopic.entrySet().stream().filter(e -> !e.getKey().equals("ledger.commands-dlt"))
                    .mapToLong(Map.Entry::getValue).sum();
            perTopic.forEach((t, n) -> {
                if (n > 0) {
                    run.note("dead letters on " + t + ": " + n);
                }
            });
            report.invariant("poison records on ledger.commands that reached its dead-letter topic", poisonDead,
                    poison);
            report.invariant("other dead letters (money or jobs parked for an operator)", others, 0);
        }
    }

    private void telegramPolling(Report report) throws Exception {
        long conflicts = 0;
        for (String name : cluster.names()) {
            if (name.startsWith("gateway-") && Files.exists(cluster.log(name))) {
                try (var lines = Files.lines(cluster.log(name))) {
                    conflicts += lines.filter(l -> l.contains("Conflict: terminated by other getUpdates")).count();
                }
            }
        }
        report.invariant("409 Conflict answers a gateway received from Telegram", conflicts, 0);
        report.figure("Telegram updates sent (re-deliveries included) / garbage updates",
                run.telegramUpdates.get() + " / " + run.hostileOutcomes.stream()
                        .filter(o -> o.kind() == Plan.HostileKind.TELEGRAM_GARBAGE).count());
    }

    private List<JobRow> jobs() throws SQLException {
        List<JobRow> rows = new ArrayList<>();
        try (Connection c = connect(); PreparedStatement s = c.prepareStatement("""
                select job_id, input, status, hold_state, price_minor, chat_id, delivery_failure, reason,
                       status = 'FAILED' and reason = 'TIMED_OUT' and result_urls is not null as late_result
                from orchestrator.job where input like ?""")) {
            s.setString(1, "%chaos#" + plan.seed() + "#%");
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    Matcher m = marker.matcher(r.getString("input"));
                    if (m.find()) {
                        rows.add(new JobRow(r.getString("job_id"), Integer.parseInt(m.group(1)), r.getString("status"),
                                r.getString("hold_state"), r.getLong("price_minor"), r.getLong("chat_id"),
                                r.getString("delivery_failure"), r.getString("reason"),
                                r.getBoolean("late_result")));
                    }
                }
            }
        } catch (SQLException e) {
            run.note("the database did not answer: " + e.getMessage());
            return List.of();
        }
        return rows;
    }

    private long placedHolds() {
        try (Connection c = connect()) {
            return count(c, "select count(*) from ledger.hold where status = 'PLACED'");
        } catch (SQLException e) {
            return 1;
        }
    }

    private Connection connect() throws SQLException {
        return DriverManager.getConnection(ep.jdbcUrl(), "postgres", "");
    }

    private static long count(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                s.setObject(i + 1, args[i]);
            }
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        }
    }
}
