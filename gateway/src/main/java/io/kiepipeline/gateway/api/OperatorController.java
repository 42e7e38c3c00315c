package io.kiepipeline.gateway.api;

import io.kiepipeline.gateway.api.model.ApiModel;
import io.kiepipeline.platform.deadletters.DeadLetterReplay;
import io.kiepipeline.schemas.MessageCodec;
import io.kiepipeline.schemas.Topic;
import io.kiepipeline.schemas.Topics;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/**
 * The operator page ({@code GET /admin}) and what it reads: one overview gathered from the services that own each
 * part (analytics' figures, the KIE accounts, stuck jobs and recent failures from the orchestrator, the holds open
 * longest from the ledger, the dead letters from Kafka), each part read at once and shown as unavailable when its
 * service does not answer; the dead letters of a topic, and their replay. Everything but the page itself (static, no
 * data) asks for the admin token.
 */
@RestController
class OperatorController implements DisposableBean {
    private static final Logger log = LoggerFactory.getLogger(OperatorController.class);
    static final int ROWS = 20;
    /** The most letters one list shows (the newest are at the end of the topic; a replay takes them all). */
    static final int MAX_LETTERS = 100;
    private static final Map<String, String> ASSETS = Map.of("admin.js", "text/javascript",
            "admin.css", "text/css");

    private final Backends backends;
    private final Clock clock;
    private final String adminToken;
    private final String bootstrapServers;
    private final Admin kafka;
    private final ExecutorService reads = Executors.newVirtualThreadPerTaskExecutor();
    private final Map<String, Object> replayLocks = new java.util.concurrent.ConcurrentHashMap<>();
    /** The dead-letter counts' read still running, if any: a refresh while Kafka is slow waits for it, never adds one. */
    private CompletableFuture<List<ApiModel.DeadLetters>> deadLettersRead;

    OperatorController(Backends backends, Clock clock, KafkaAdmin kafkaAdmin,
                       io.kiepipeline.gateway.GatewaySettings settings,
                       org.springframework.boot.kafka.autoconfigure.KafkaProperties kafkaProperties) {
        this.backends = backends;
        this.clock = clock;
        this.adminToken = settings.adminToken();
        this.bootstrapServers = String.join(",", kafkaProperties.getBootstrapServers());
        Map<String, Object> config = new java.util.HashMap<>(kafkaAdmin.getConfigurationProperties());
        config.put("request.timeout.ms", 5000);
        config.put("default.api.timeout.ms", 8000);
        this.kafka = Admin.create(config);
    }

    @GetMapping({"/admin", "/admin/"})
    ResponseEntity<byte[]> page() throws IOException {
        return asset("index.html", MediaType.TEXT_HTML_VALUE);
    }

    @GetMapping("/admin/{name:admin\\.(?:js|css)}")
    ResponseEntity<byte[]> assets(@PathVariable String name) throws IOException {
        return asset(name, ASSETS.get(name));
    }

    private static ResponseEntity<byte[]> asset(String name, String type) throws IOException {
        try (InputStream in = OperatorController.class.getResourceAsStream("/admin/" + name)) {
            if (in == null) {
                return ResponseEntity.notFound().build();
            }
            // the page runs only its own script, talks only to this origin, and is never framed
            return ResponseEntity.ok().contentType(MediaType.parseMediaType(type + ";charset=UTF-8"))
                    .cacheControl(CacheControl.noStore())
                    .header("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self';"
                            + " connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none';"
                            + " frame-ancestors 'none'")
                    .header("X-Content-Type-Options", "nosniff")
                    .header("Referrer-Policy", "no-referrer")
                    .body(in.readAllBytes());
        }
    }

    @GetMapping("/api/v1/admin/overview")
    @Operation(summary = "What the operator page shows", description = "Live figures (analytics), the KIE accounts,"
            + " jobs the timer is not moving on, holds open longest, dead letters per topic, recent failures: each"
            + " read from its service at once; one that does not answer is null and named in unavailable.",
            security = @SecurityRequirement(name = "adminToken"))
    @ApiResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = ApiModel.Overview.class)))
    @ApiResponse(responseCode = "401", description = "missing or wrong admin token", content = @Content(
            schema = @Schema(implementation = ApiError.class)))
    ResponseEntity<Object> overview(@Parameter(hidden = true) @RequestHeader(value = "Authorization",
            required = false) String auth) {
        if (!Tokens.bearerMatches(auth, adminToken)) {
            return unauthorized();
        }
        List<String> unavailable = new java.util.concurrent.CopyOnWriteArrayList<>();
        var stats = read("analytics", unavailable, () -> backends.stats(60, null, 1));
        var kie = read("kie", unavailable, () -> convert(backends.kieAccounts(), ApiModel.KieAccounts.class));
        var stuck = read("stuckJobs", unavailable, () -> list(backends.stuckJobs(ROWS), ApiModel.StuckJob.class));
        var holds = read("openHolds", unavailable, () -> list(backends.openHolds(ROWS), ApiModel.OpenHold.class));
        var failures = read("recentFailures", unavailable,
                () -> list(backends.recentFailures(ROWS), ApiModel.FailedJob.class));
        var letters = read("deadLetters", unavailable, this::deadLettersOnce);
        CompletableFuture.allOf(stats, kie, stuck, holds, failures, letters).join();
        List<String> missing = new ArrayList<>(unavailable);
        java.util.Collections.sort(missing);
        return ResponseEntity.ok(new ApiModel.Overview(clock.instant().toString(), stats.join(), kie.join(),
                stuck.join(), holds.join(), letters.join(), failures.join(), missing));
    }

    @GetMapping("/api/v1/admin/dead-letters/{topic}")
    @Operation(summary = "A topic's dead letters not replayed yet (the first 100)",
            security = @SecurityRequirement(name = "adminToken"))
    @ApiResponse(responseCode = "200", content = @Content(array = @ArraySchema(
            schema = @Schema(implementation = ApiModel.DeadLetter.class))))
    @ApiResponse(responseCode = "401", description = "missing or wrong admin token", content = @Content(
            schema = @Schema(implementation = ApiError.class)))
    @ApiResponse(responseCode = "404", description = "no such topic", content = @Content(
            schema = @Schema(implementation = ApiError.class)))
    ResponseEntity<Object> deadLetters(@Parameter(hidden = true) @RequestHeader(value = "Authorization",
            required = false) String auth, @PathVariable String topic) {
        if (!Tokens.bearerMatches(auth, adminToken)) {
            return unauthorized();
        }
        if (!known(topic)) {
            return unknownTopic();
        }
        // reads no further than the letters it shows: a dead-letter topic can be large
        List<ApiModel.DeadLetter> letters = new DeadLetterReplay(bootstrapServers).list(topic, MAX_LETTERS).stream()
                .map(OperatorController::letter).toList();
        return ResponseEntity.ok(letters);
    }

    @PostMapping("/api/v1/admin/dead-letters/{topic}/replay")
    @Operation(summary = "Send a topic's dead letters back to it", description = "Each goes back with its own key,"
            + " payload and event id, so a consumer that had applied it dedupes it: a replay takes effect at most once."
            + " Replayed letters are not replayed again. Fix what made them fail first: one that fails again goes"
            + " back to the dead-letter topic.", security = @SecurityRequirement(name = "adminToken"))
    @ApiResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = ApiModel.Replayed.class)))
    @ApiResponse(responseCode = "401", description = "missing or wrong admin token", content = @Content(
            schema = @Schema(implementation = ApiError.class)))
    @ApiResponse(responseCode = "404", description = "no such topic", content = @Content(
            schema = @Schema(implementation = ApiError.class)))
    ResponseEntity<Object> replay(@Parameter(hidden = true) @RequestHeader(value = "Authorization",
            required = false) String auth, @PathVariable String topic) {
        if (!Tokens.bearerMatches(auth, adminToken)) {
            return unauthorized();
        }
        if (!known(topic)) {
            return unknownTopic();
        }
        // one replay of a topic at a time in this gateway (a second click waits for the first, then finds nothing
        // new); replays from two gateways at once send a letter twice at worst, which its event id makes harmless
        List<ApiModel.DeadLetter> replayed;
        synchronized (replayLocks.computeIfAbsent(topic, t -> new Object())) {
            replayed = new DeadLetterReplay(bootstrapServers).replay(topic, null).stream()
                    .map(OperatorController::letter).toList();
        }
        log.atWarn().addKeyValue("topic", topic).addKeyValue("count", replayed.size())
                .log("operator.dead-letters-replayed");
        return ResponseEntity.ok(new ApiModel.Replayed(topic, replayed.size(),
                replayed.stream().limit(MAX_LETTERS).toList()));
    }

    /** One read of the counts at a time, shared by the requests that come while it runs. */
    private List<ApiModel.DeadLetters> deadLettersOnce() {
        CompletableFuture<List<ApiModel.DeadLetters>> running;
        synchronized (this) {
            if (deadLettersRead == null || deadLettersRead.isDone()) {
                deadLettersRead = CompletableFuture.supplyAsync(this::deadLetters, reads);
            }
            running = deadLettersRead;
        }
        return running.join();
    }

    private List<ApiModel.DeadLetters> deadLetters() {
        try {
            return DeadLetterReplay.pending(kafka, Topics.ALL.stream().map(Topic::name).toList()).entrySet().stream()
                    .map(e -> new ApiModel.DeadLetters(e.getKey(), e.getValue())).toList();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("Kafka did not answer: " + e.getMessage(), e);
        }
    }

    private <T> CompletableFuture<T> read(String part, List<String> unavailable, Supplier<T> read) {
        return CompletableFuture.supplyAsync(read, reads).completeOnTimeout(null, 12, TimeUnit.SECONDS)
                .handle((value, failure) -> {
                    if (failure != null || value == null) {
                        unavailable.add(part);
                        log.atWarn().addKeyValue("part", part).log("operator.overview-part-unavailable: "
                                + (failure == null ? "timed out" : failure.getMessage()));
                        return null;
                    }
                    return value;
                });
    }

    private static boolean known(String topic) {
        return Topics.ALL.stream().anyMatch(t -> t.name().equals(topic));
    }

    private static ApiModel.DeadLetter letter(DeadLetterReplay.Letter l) {
        return new ApiModel.DeadLetter(l.partition(), l.offset(), l.key(), l.type(), l.eventId(),
                l.reason());
    }

    private static <T> T convert(Object value, Class<T> type) {
        return MessageCodec.mapper().convertValue(value, type);
    }

    private static <T> List<T> list(List<Map<String, Object>> rows, Class<T> type) {
        return rows.stream().map(r -> convert(r, type)).toList();
    }

    private static ResponseEntity<Object> unauthorized() {
        return ApiError.of(HttpStatus.UNAUTHORIZED, "unauthorized", "missing or wrong bearer token");
    }

    private static ResponseEntity<Object> unknownTopic() {
        return ApiError.of(HttpStatus.NOT_FOUND, "unknown_topic", "no such topic; the topics are in docs/events.md");
    }

    @Override
    public void destroy() {
        reads.shutdownNow();
        kafka.close(java.time.Duration.ofSeconds(2));
    }
}
