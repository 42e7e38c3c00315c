package io.kiepipeline.gateway.api;

import io.kiepipeline.gateway.publishing.Publisher;
import io.kiepipeline.schemas.ChatId;
import io.kiepipeline.schemas.GatewayEvent.GenerationRequested;
import io.kiepipeline.schemas.Ids;
import io.kiepipeline.schemas.JobId;
import io.kiepipeline.schemas.Language;
import io.kiepipeline.schemas.LedgerCommand.DepositRequested;
import io.kiepipeline.schemas.Limits;
import io.kiepipeline.schemas.MessageCodec;
import io.kiepipeline.schemas.RequestSource;
import io.kiepipeline.schemas.UserId;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.kiepipeline.gateway.api.model.ApiModel;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestClientException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * The HTTP API. Writes are published to Kafka (and answered 202 once the broker took them); reads ask the service
 * that owns the data. {@code Authorization: Bearer $API_TOKEN} for users' calls, {@code $ADMIN_TOKEN} for top-ups.
 */
@RestController
class ApiController {
    private static final Logger log = LoggerFactory.getLogger(ApiController.class);
    private static final int MAX_KEY_LENGTH = Limits.IDEMPOTENCY_KEY;

    private final Publisher publisher;
    private final Backends backends;
    private final Clock clock;
    private final String apiToken;
    private final String adminToken;
    private final String currency;

    ApiController(Publisher publisher, Backends backends, Clock clock, io.kiepipeline.gateway.GatewaySettings settings,
                  io.kiepipeline.platform.config.PlatformProperties platform) {
        this.publisher = publisher;
        this.backends = backends;
        this.clock = clock;
        this.apiToken = settings.apiToken();
        this.adminToken = settings.adminToken();
        this.currency = platform.currency();
    }

    @PostMapping("/api/v1/generations")
    @Operation(summary = "Request a generation", description = "Publishes the request and answers 202 once Kafka"
            + " has it. The price is held from the user's balance before KIE is called, charged only when the"
            + " result arrives, released otherwise. The same Idempotency-Key always names the same job.",
            security = @SecurityRequirement(name = "apiToken"),
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true,
                    content = @Content(schema = @Schema(implementation = ApiModel.GenerationRequest.class))))
    @ApiResponse(responseCode = "202", description = "accepted",
            content = @Content(schema = @Schema(implementation = ApiModel.JobAccepted.class)))
    @ApiResponse(responseCode = "400", description = "malformed or invalid request", content = @Content(
            schema = @Schema(implementation = ApiError.class)))
    @ApiResponse(responseCode = "401", description = "missing or wrong API token", content = @Content(
            schema = @Schema(implementation = ApiError.class)))
    @ApiResponse(responseCode = "409", description = "the Idempotency-Key was used for another request",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    @ApiResponse(responseCode = "503", description = "Kafka is unavailable: nothing was taken, retry",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    ResponseEntity<Object> requestGeneration(@Parameter(hidden = true) @RequestHeader(value = "Authorization", required = false) String auth,
                                             @Parameter(description = "1 to 200 printable characters, unique"
                                                     + " per generation: a repeat names the same job",
                                                     required = true)
                                             @RequestHeader(value = "Idempotency-Key", required = false) String key,
                                             @Parameter(hidden = true) @RequestBody(required = false) String body) {
        if (!Tokens.bearerMatches(auth, apiToken)) {
            return unauthorized();
        }
        if (key == null || key.isBlank() || key.length() > MAX_KEY_LENGTH || hasControlCharacters(key)) {
            return ApiError.of(HttpStatus.BAD_REQUEST, "idempotency_key_required",
                    "send an Idempotency-Key header of 1 to " + MAX_KEY_LENGTH + " printable characters");
        }
        JsonNode json = parse(body);
        if (json == null || !json.isObject()) {
            return ApiError.of(HttpStatus.BAD_REQUEST, "malformed_body", "the body must be a JSON object");
        }
        JsonNode userId = json.get("userId");
        JsonNode chatId = json.get("chatId");
        JsonNode model = json.get("model");
        JsonNode input = json.get("input");
        if (chatId == null || !chatId.isIntegralNumber()) {
            return invalid("chatId must be an integer (the Telegram chat to deliver to)");
        }
        JsonNode quote = json.get("quoteId");
        UUID quoteId = null;
        if (quote != null && !quote.isNull()) {
            try {
                quoteId = UUID.fromString(quote.asString(""));
            } catch (IllegalArgumentException e) {
                return invalid("quoteId must be the id of a quote from POST /api/v1/quotes");
            }
        }
        if (quoteId != null && (input == null || input.isNull())) {
            // the input is the quote's
            input = MessageCodec.mapper().createObjectNode();
        }
        Language language = languageOf(json);
        ResponseEntity<Object> refused = refusal(userId, model, input, language);
        if (refused != null) {
            return refused;
        }
        UserId user = new UserId(userId.asLong());
        JobId jobId = Ids.jobIdForApiRequest(user, key);
        @SuppressWarnings("unchecked")
        Map<String, Object> fields = MessageCodec.mapper().convertValue(input, Map.class);
        if (reusedForAnotherRequest(jobId, chatId.asLong(), model.asString(), fields)) {
            return ApiError.of(HttpStatus.CONFLICT, "idempotency_key_reused",
                    "this Idempotency-Key was used for a different request (job " + jobId + ")");
        }
        publisher.publish(new GenerationRequested(jobId, key, user, new ChatId(chatId.asLong()), model.asString(),
                fields, clock.instant(), RequestSource.API, quoteId, language), jobId.toString());
        log.atInfo().addKeyValue("jobId", jobId).addKeyValue("userId", user).addKeyValue("model", model.asString())
                .log("generation.requested");
        return ResponseEntity.accepted().body(new ApiModel.JobAccepted(jobId.toString()));
    }

    /**
     * Best effort: a key already used for a job with another model, chat or input is refused. (The stored input also
     * holds the model's defaults, so the request's fields must be a subset of it.) When the orchestrator does not
     * answer, the request goes through: the orchestrator then keeps the first job and ignores this one.
     */
    private boolean reusedForAnotherRequest(JobId jobId, long chatId, String model, Map<String, Object> input) {
        Optional<Map<String, Object>> existing;
        try {
            existing = backends.job(jobId.toString());
        } catch (RestClientException e) {
            return false;
        }
        if (existing.isEmpty()) {
            return false;
        }
        Map<String, Object> job = existing.get();
        Object stored = job.get("input");
        boolean sameInput = stored instanceof Map<?, ?> storedInput && input.entrySet().stream()
                .allMatch(e -> java.util.Objects.equals(storedInput.get(e.getKey()), e.getValue()));
        return !model.equals(job.get("model")) || ((Number) job.get("chatId")).longValue() != chatId || !sameInput;
    }

    /**
     * A price to confirm: the input is checked and priced as a job would be. 201 with {@code quoteId, priceMinor,
     * currency, catalogVersion, expiresAt}; 422 with each field's problem in the request's language; 404 for an
     * unknown model; 409 for a model not on sale now. A job made with the quote id holds exactly this price.
     */
    @PostMapping("/api/v1/quotes")
    @Operation(summary = "Quote a price", description = "Checks the input and prices it as a job would be. A"
            + " generation with the quote's id holds exactly this price.",
            security = @SecurityRequirement(name = "apiToken"),
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true,
                    content = @Content(schema = @Schema(implementation = ApiModel.QuoteRequest.class))))
    @ApiResponse(responseCode = "201", description = "the quote",
            content = @Content(schema = @Schema(implementation = ApiModel.Quote.class)))
    @ApiResponse(responseCode = "400", description = "malformed request", content = @Content(
            schema = @Schema(implementation = ApiError.class)))
    @ApiResponse(responseCode = "401", description = "missing or wrong API token", content = @Content(
            schema = @Schema(implementation = ApiError.class)))
    @ApiResponse(responseCode = "404", description = "no such model", content = @Content(
            schema = @Schema(implementation = ApiError.class)))
    @ApiResponse(responseCode = "409", description = "the model is not on sale now", content = @Content(
            schema = @Schema(implementation = ApiError.class)))
    @ApiResponse(responseCode = "422", description = "the input does not fit the model: each field's problem",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    @ApiResponse(responseCode = "503", description = "generation is unavailable now", content = @Content(
            schema = @Schema(implementation = ApiError.class)))
    ResponseEntity<Object> quote(@Parameter(hidden = true) @RequestHeader(value = "Authorization", required = false) String auth,
                                 @Parameter(hidden = true) @RequestBody(required = false) String body) {
        if (!Tokens.bearerMatches(auth, apiToken)) {
            return unauthorized();
        }
        JsonNode json = parse(body);
        if (json == null || !json.isObject()) {
            return ApiError.of(HttpStatus.BAD_REQUEST, "malformed_body", "the body must be a JSON object");
        }
        JsonNode userId = json.get("userId");
        JsonNode model = json.get("model");
        JsonNode input = json.get("input");
        Language language = languageOf(json);
        ResponseEntity<Object> refused = refusal(userId, model, input, language);
        if (refused != null) {
            return refused;
        }
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("userId", userId.asLong());
        request.put("model", model.asString());
        request.put("input", MessageCodec.mapper().convertValue(input, Map.class));
        request.put("language", language.tag());
        Backends.Answer answer = backends.quote(request);
        Object typed = answer.status() == 201 ? as(answer.body(), ApiModel.Quote.class)
                : as(answer.body(), ApiError.class);
        return ResponseEntity.status(answer.status()).body(typed);
    }

    /** Every model, enabled or not, and the price of every option combination. */
    @GetMapping("/api/v1/admin/prices")
    @Operation(summary = "Every model's prices", security = @SecurityRequirement(name = "adminToken"))
    @ApiResponse(responseCode = "200", content = @Content(
            schema = @Schema(implementation = ApiModel.PriceList.class)))
    @ApiResponse(responseCode = "401", description = "missing or wrong admin token", content = @Content(
            schema = @Schema(implementation = ApiError.class)))
    ResponseEntity<Object> prices(@Parameter(hidden = true) @RequestHeader(value = "Authorization", required = false) String auth) {
        if (!Tokens.bearerMatches(auth, adminToken)) {
            return unauthorized();
        }
        return ResponseEntity.ok(as(backends.prices(), ApiModel.PriceList.class));
    }

    /** Every KIE key (by fingerprint): whether it takes tasks, why not, and its credits. */
    @GetMapping("/api/v1/admin/kie")
    @Operation(summary = "The KIE accounts' state", security = @SecurityRequirement(name = "adminToken"))
    @ApiResponse(responseCode = "200", content = @Content(
            schema = @Schema(implementation = ApiModel.KieAccounts.class)))
    @ApiResponse(responseCode = "401", description = "missing or wrong admin token", content = @Content(
            schema = @Schema(implementation = ApiError.class)))
    ResponseEntity<Object> kie(@Parameter(hidden = true) @RequestHeader(value = "Authorization", required = false) String auth) {
        if (!Tokens.bearerMatches(auth, adminToken)) {
            return unauthorized();
        }
        return ResponseEntity.ok(as(backends.kieAccounts(), ApiModel.KieAccounts.class));
    }

    /** The analytics service's live figures (Kafka Streams' interactive queries). */
    @GetMapping("/api/v1/admin/stats")
    @Operation(summary = "Live figures: totals, every model's last minutes, a user's days",
            description = "From the analytics service's views of the event topics (exactly once): per model and"
                    + " minute the requests, successes, failures, rejections, revenue, KIE credits and time to result"
                    + " (p50/p95); the totals since the first event; with userId, that user's requests, successes"
                    + " and spend per day (UTC).", security = @SecurityRequirement(name = "adminToken"))
    @ApiResponse(responseCode = "200", content = @Content(
            schema = @Schema(implementation = io.kiepipeline.schemas.AnalyticsViews.Stats.class)))
    @ApiResponse(responseCode = "400", description = "a parameter out of range", content = @Content(
            schema = @Schema(implementation = ApiError.class)))
    @ApiResponse(responseCode = "401", description = "missing or wrong admin token", content = @Content(
            schema = @Schema(implementation = ApiError.class)))
    @ApiResponse(responseCode = "503", description = "analytics is starting, rebalancing or down", content = @Content(
            schema = @Schema(implementation = ApiError.class)))
    ResponseEntity<Object> stats(@Parameter(hidden = true) @RequestHeader(value = "Authorization", required = false) String auth,
                                 @Parameter(description = "how many minutes back, 1 to 1440")
                                 @org.springframework.web.bind.annotation.RequestParam(defaultValue = "60") int minutes,
                                 @Parameter(description = "a user whose days to include")
                                 @org.springframework.web.bind.annotation.RequestParam(required = false) Long userId,
                                 @Parameter(description = "how many days back for the user, 1 to 90")
                                 @org.springframework.web.bind.annotation.RequestParam(defaultValue = "30") int days) {
        if (!Tokens.bearerMatches(auth, adminToken)) {
            return unauthorized();
        }
        if (minutes < 1 || minutes > 1440 || days < 1 || days > 90 || (userId != null && userId <= 0)) {
            return invalid("minutes must be 1 to 1440, days 1 to 90, userId a positive integer");
        }
        return ResponseEntity.ok(backends.stats(minutes, userId, days));
    }

    /** What a generation and a quote check alike: who, which model, what input, which language; null when fine. */
    private static ResponseEntity<Object> refusal(JsonNode userId, JsonNode model, JsonNode input, Language language) {
        if (userId == null || !userId.isIntegralNumber() || userId.asLong() <= 0) {
            return invalid("userId must be a positive integer (the Telegram user id)");
        }
        if (model == null || !model.isString() || model.asString().isBlank()
                || model.asString().length() > Limits.MODEL_ID || hasControlCharacters(model.asString())) {
            return invalid("model must be a model id of 1 to " + Limits.MODEL_ID
                    + " characters, see GET /api/v1/models");
        }
        if (input == null || !input.isObject()) {
            return invalid("input must be a JSON object with the model's fields, e.g. {\"prompt\": \"...\"}");
        }
        if (language == null) {
            return invalid("language must be \"en\" or \"ru\"");
        }
        Optional<String> tooLarge = InputLimits.problemWith(input);
        return tooLarge.map(t -> ApiError.of(HttpStatus.BAD_REQUEST, "input_too_large", t)).orElse(null);
    }

    /** {@code language}: "en" or "ru"; absent means English; anything else is null (refused). */
    private static Language languageOf(JsonNode json) {
        JsonNode l = json.get("language");
        if (l == null || l.isNull()) {
            return Language.EN;
        }
        String tag = l.asString("");
        return tag.equalsIgnoreCase("en") ? Language.EN : tag.equalsIgnoreCase("ru") ? Language.RU : null;
    }

    @GetMapping("/api/v1/jobs/{jobId}")
    @Operation(summary = "A job", security = @SecurityRequirement(name = "apiToken"))
    @ApiResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = ApiModel.Job.class)))
    @ApiResponse(responseCode = "400", description = "not a job id", content = @Content(
            schema = @Schema(implementation = ApiError.class)))
    @ApiResponse(responseCode = "401", description = "missing or wrong API token", content = @Content(
            schema = @Schema(implementation = ApiError.class)))
    @ApiResponse(responseCode = "404", description = "no such job (yet)", content = @Content(
            schema = @Schema(implementation = ApiError.class)))
    ResponseEntity<Object> job(@Parameter(hidden = true) @RequestHeader(value = "Authorization", required = false) String auth,
                               @PathVariable String jobId) {
        if (!Tokens.bearerMatches(auth, apiToken)) {
            return unauthorized();
        }
        try {
            UUID.fromString(jobId);
        } catch (IllegalArgumentException e) {
            return ApiError.of(HttpStatus.BAD_REQUEST, "invalid_job_id", "a job id is a UUID");
        }
        Optional<Map<String, Object>> job = backends.job(jobId);
        return job.<ResponseEntity<Object>>map(j -> ResponseEntity.ok(as(j, ApiModel.Job.class)))
                .orElseGet(() -> ApiError.of(HttpStatus.NOT_FOUND, "job_not_found",
                        "no job " + jobId + " (yet: a job appears a moment after its request was accepted)"));
    }

    /** A user's latest jobs, newest first ({@code limit} 1–50, 10 by default): the bot's /history. */
    @GetMapping("/api/v1/users/{userId}/jobs")
    @Operation(summary = "A user's latest jobs", security = {@SecurityRequirement(name = "apiToken"),
            @SecurityRequirement(name = "adminToken")})
    @ApiResponse(responseCode = "200", content = @Content(
            schema = @Schema(implementation = ApiModel.JobHistory.class)))
    @ApiResponse(responseCode = "400", description = "limit out of 1-50", content = @Content(
            schema = @Schema(implementation = ApiError.class)))
    @ApiResponse(responseCode = "401", description = "missing or wrong token", content = @Content(
            schema = @Schema(implementation = ApiError.class)))
    ResponseEntity<Object> history(@Parameter(hidden = true) @RequestHeader(value = "Authorization", required = false) String auth,
                                   @PathVariable long userId,
                                   @org.springframework.web.bind.annotation.RequestParam(defaultValue = "10")
                                   int limit) {
        if (!Tokens.bearerMatches(auth, apiToken) && !Tokens.bearerMatches(auth, adminToken)) {
            return unauthorized();
        }
        if (limit < 1 || limit > 50) {
            return ApiError.of(HttpStatus.BAD_REQUEST, "invalid_limit", "limit is 1 to 50");
        }
        return ResponseEntity.ok(new ApiModel.JobHistory(userId, backends.history(userId, limit).stream()
                .map(j -> as(j, ApiModel.JobSummary.class)).toList()));
    }

    @GetMapping("/api/v1/accounts/{userId}")
    @Operation(summary = "A user's balance", security = {@SecurityRequirement(name = "apiToken"),
            @SecurityRequirement(name = "adminToken")})
    @ApiResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = ApiModel.Account.class)))
    @ApiResponse(responseCode = "401", description = "missing or wrong token", content = @Content(
            schema = @Schema(implementation = ApiError.class)))
    ResponseEntity<Object> account(@Parameter(hidden = true) @RequestHeader(value = "Authorization", required = false) String auth,
                                   @PathVariable long userId) {
        if (!Tokens.bearerMatches(auth, apiToken) && !Tokens.bearerMatches(auth, adminToken)) {
            return unauthorized();
        }
        Map<String, Object> a = backends.account(userId);
        return ResponseEntity.ok(new ApiModel.Account(userId, ((Number) a.getOrDefault("availableMinor", 0))
                .longValue(), ((Number) a.getOrDefault("heldMinor", 0)).longValue(),
                String.valueOf(a.getOrDefault("currency", currency))));
    }

    @GetMapping("/api/v1/models")
    @Operation(summary = "The models on sale", security = @SecurityRequirement(name = "apiToken"))
    @ApiResponse(responseCode = "200", content = @Content(array = @ArraySchema(
            schema = @Schema(implementation = ApiModel.Model.class))))
    @ApiResponse(responseCode = "401", description = "missing or wrong API token", content = @Content(
            schema = @Schema(implementation = ApiError.class)))
    ResponseEntity<Object> models(@Parameter(hidden = true) @RequestHeader(value = "Authorization", required = false) String auth) {
        if (!Tokens.bearerMatches(auth, apiToken)) {
            return unauthorized();
        }
        return ResponseEntity.ok(backends.models().stream().map(m -> as(m, ApiModel.Model.class)).toList());
    }

    @PostMapping("/api/v1/admin/deposits")
    @Operation(summary = "Top up a user's balance", description = "Published to the ledger, which applies each"
            + " reference once.", security = @SecurityRequirement(name = "adminToken"),
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true,
                    content = @Content(schema = @Schema(implementation = ApiModel.DepositRequest.class))))
    @ApiResponse(responseCode = "202", content = @Content(
            schema = @Schema(implementation = ApiModel.DepositAccepted.class)))
    @ApiResponse(responseCode = "400", description = "malformed or invalid request", content = @Content(
            schema = @Schema(implementation = ApiError.class)))
    @ApiResponse(responseCode = "401", description = "missing or wrong admin token", content = @Content(
            schema = @Schema(implementation = ApiError.class)))
    @ApiResponse(responseCode = "409", description = "the reference was used for another top-up",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    @ApiResponse(responseCode = "503", description = "Kafka is unavailable: nothing was taken, retry",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    ResponseEntity<Object> deposit(@Parameter(hidden = true) @RequestHeader(value = "Authorization", required = false) String auth,
                                   @Parameter(hidden = true) @RequestBody(required = false) String body) {
        if (!Tokens.bearerMatches(auth, adminToken)) {
            return unauthorized();
        }
        JsonNode json = parse(body);
        if (json == null || !json.isObject()) {
            return ApiError.of(HttpStatus.BAD_REQUEST, "malformed_body", "the body must be a JSON object");
        }
        JsonNode userId = json.get("userId");
        JsonNode amount = json.get("amountMinor");
        JsonNode reference = json.get("reference");
        if (userId == null || !userId.isIntegralNumber() || userId.asLong() <= 0) {
            return invalid("userId must be a positive integer");
        }
        if (amount == null || !amount.isIntegralNumber() || amount.asLong() <= 0) {
            return invalid("amountMinor must be a positive integer number of minor units (kopecks for RUB)");
        }
        if (reference == null || !reference.isString() || reference.asString().isBlank()
                || reference.asString().length() > Limits.DEPOSIT_REFERENCE
                || hasControlCharacters(reference.asString())) {
            return invalid("reference must be a unique string of 1 to " + Limits.DEPOSIT_REFERENCE
                    + " characters (repeats are ignored)");
        }
        UserId user = new UserId(userId.asLong());
        Optional<Backends.Deposit> applied = appliedDeposit(reference.asString());
        if (applied.isPresent() && (applied.get().amountMinor() != amount.asLong()
                || applied.get().userId() != user.value())) {
            return ApiError.of(HttpStatus.CONFLICT, "deposit_reference_reused", "reference "
                    + Limits.cap(reference.asString(), 80) + " was already used for another top-up; use a new one");
        }
        var depositId = Ids.depositIdForReference(reference.asString());
        publisher.publish(new DepositRequested(depositId, user, amount.asLong(), currency, reference.asString()),
                null);
        log.atInfo().addKeyValue("userId", user).addKeyValue("amountMinor", amount.asLong())
                .addKeyValue("reference", reference.asString()).log("deposit.requested");
        return ResponseEntity.accepted().body(new ApiModel.DepositAccepted(depositId.toString(), "accepted"));
    }

    /**
     * Best effort, like the Idempotency-Key check: when the ledger does not answer, the top-up is published and the
     * ledger itself refuses a reused reference with DepositRefused.
     */
    private Optional<Backends.Deposit> appliedDeposit(String reference) {
        try {
            return backends.deposit(reference);
        } catch (RestClientException e) {
            return Optional.empty();
        }
    }

    @ExceptionHandler(Publisher.Unavailable.class)
    ResponseEntity<Object> kafkaDown(Publisher.Unavailable e) {
        log.atError().setCause(e).log("gateway.publish-failed");
        return ApiError.of(HttpStatus.SERVICE_UNAVAILABLE, "unavailable", "the pipeline is unavailable, retry later");
    }

    /** A query parameter that is not what it must be (a number): the same 400 as every other invalid request. */
    @ExceptionHandler(org.springframework.web.method.annotation.MethodArgumentTypeMismatchException.class)
    ResponseEntity<Object> badParameter(org.springframework.web.method.annotation.MethodArgumentTypeMismatchException e) {
        Class<?> type = e.getRequiredType();
        boolean number = type == int.class || type == long.class || type == Integer.class || type == Long.class;
        return invalid(e.getName() + " must be " + (number ? "a whole number within range" : "valid"));
    }

    @ExceptionHandler(RestClientException.class)
    ResponseEntity<Object> backendDown(RestClientException e) {
        log.atError().addKeyValue("reason", e.getMessage()).log("gateway.backend-failed");
        return ApiError.of(HttpStatus.SERVICE_UNAVAILABLE, "unavailable", "the owning service did not answer");
    }

    /** Identifiers are printable: a NUL or other control character cannot be stored, logged or shown safely. */
    private static boolean hasControlCharacters(String s) {
        return s.chars().anyMatch(Character::isISOControl);
    }

    /** What another service answered, as the API's own record (fields it does not list are not shown). */
    private static <T> T as(Object answer, Class<T> type) {
        return MessageCodec.mapper().convertValue(answer, type);
    }

    private static JsonNode parse(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        try {
            return MessageCodec.mapper().readTree(body);
        } catch (JacksonException e) {
            return null;
        }
    }

    private static ResponseEntity<Object> invalid(String message) {
        return ApiError.of(HttpStatus.BAD_REQUEST, "invalid_request", message);
    }

    private static ResponseEntity<Object> unauthorized() {
        return ApiError.of(HttpStatus.UNAUTHORIZED, "unauthorized", "missing or wrong bearer token");
    }
}
