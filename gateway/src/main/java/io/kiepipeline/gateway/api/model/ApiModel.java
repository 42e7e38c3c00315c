package io.kiepipeline.gateway.api.model;

import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;
import java.util.Map;

/**
 * The public REST API's bodies, one record each (docs/openapi.json is generated from them and the controller).
 * Money is in integer minor units of {@code currency}; instants are ISO-8601 UTC strings.
 */
public final class ApiModel {
    private ApiModel() {
    }

    @Schema(description = "A generation to run for a Telegram user; the result goes to chatId.")
    public record GenerationRequest(
            @Schema(description = "the Telegram user id who pays", example = "42", minimum = "1",
                    requiredMode = Schema.RequiredMode.REQUIRED) long userId,
            @Schema(description = "the Telegram chat the result is sent to", example = "42",
                    requiredMode = Schema.RequiredMode.REQUIRED) long chatId,
            @Schema(description = "a model id from GET /api/v1/models", example = "nano-banana-pro", maxLength = 100,
                    requiredMode = Schema.RequiredMode.REQUIRED) String model,
            @Schema(description = "the model's fields (its inputSchema); with a quoteId, the quote's input is used",
                    example = "{\"prompt\": \"a red fox in the snow\"}") Map<String, Object> input,
            @Schema(description = "a quote from POST /api/v1/quotes: the job holds exactly its price",
                    format = "uuid") String quoteId,
            @Schema(description = "the user's language for notices", allowableValues = {"en", "ru"},
                    defaultValue = "en") String language) {
    }

    @Schema(description = "The request was taken: the job appears at GET /api/v1/jobs/{jobId} a moment later.")
    public record JobAccepted(@Schema(format = "uuid") String jobId) {
    }

    @Schema(description = "A price to confirm for a model and its input.")
    public record QuoteRequest(
            @Schema(example = "42", minimum = "1", requiredMode = Schema.RequiredMode.REQUIRED) long userId,
            @Schema(example = "nano-banana-pro", requiredMode = Schema.RequiredMode.REQUIRED) String model,
            @Schema(example = "{\"prompt\": \"a red fox in the snow\"}", requiredMode = Schema.RequiredMode.REQUIRED)
            Map<String, Object> input,
            @Schema(allowableValues = {"en", "ru"}, defaultValue = "en") String language) {
    }

    @Schema(description = "A price held for a while: a job made with its id is charged exactly this.")
    public record Quote(@Schema(format = "uuid") String quoteId, long userId, String model,
                        Map<String, Object> input, long priceMinor, String currency, String catalogVersion,
                        @Schema(format = "date-time") String expiresAt,
                        @Schema(description = "the options that set the price") Map<String, Object> options) {
    }

    @Schema(description = "A top-up of a user's balance, applied once per reference.")
    public record DepositRequest(
            @Schema(example = "42", minimum = "1", requiredMode = Schema.RequiredMode.REQUIRED) long userId,
            @Schema(description = "integer minor units (kopecks for RUB)", example = "10000", minimum = "1",
                    requiredMode = Schema.RequiredMode.REQUIRED) long amountMinor,
            @Schema(description = "unique per top-up: a repeat with the same reference is applied once",
                    example = "payment-2026-0001", maxLength = 200, requiredMode = Schema.RequiredMode.REQUIRED)
            String reference) {
    }

    @Schema(description = "The top-up was taken; the ledger applies it once.")
    public record DepositAccepted(@Schema(format = "uuid") String depositId,
                                  @Schema(allowableValues = "accepted") String status) {
    }

    @Schema(description = "A user's balance: available to spend, and held for running jobs.")
    public record Account(long userId, long availableMinor, long heldMinor, String currency) {
    }

    @Schema(description = "One job as the orchestrator stores it.")
    public record Job(@Schema(format = "uuid") String jobId, long userId, long chatId, String model,
                      Map<String, Object> input,
                      @Schema(allowableValues = {"AWAITING_HOLD", "SUBMITTING", "RUNNING", "SUCCEEDED", "DELIVERED",
                              "FAILED", "REJECTED"}) String status,
                      long priceMinor, String currency, String catalogVersion,
                      @Schema(description = "what KIE reported the task cost, in its credits") Long kieCreditsConsumed,
                      @Schema(description = "a result that came after the job timed out, delivered free")
                      boolean lateResult,
                      @Schema(format = "uuid") String quoteId,
                      @Schema(allowableValues = {"NONE", "REQUESTED", "PLACED", "CAPTURING", "CAPTURED", "RELEASING",
                              "RELEASED", "REJECTED"}) String holdState,
                      String taskId, List<String> resultUrls, String failureReason, String failureDetail,
                      @Schema(description = "for QUOTE_CHANGED: the new price to confirm") Quote requote,
                      String deliveryFailure,
                      @Schema(allowableValues = {"API", "TELEGRAM"}) String source,
                      @Schema(format = "date-time") String createdAt, @Schema(format = "date-time") String updatedAt,
                      @Schema(format = "date-time") String submittedAt,
                      @Schema(format = "date-time") String finishedAt,
                      @Schema(format = "date-time") String deliveredAt,
                      @Schema(format = "date-time") String notifiedAt) {
    }

    @Schema(description = "A job in a user's history.")
    public record JobSummary(@Schema(format = "uuid") String jobId, String model, String status, long priceMinor,
                             String currency, @Schema(description = "the start of the prompt") String prompt,
                             Map<String, Object> input, List<String> resultUrls, String failureReason,
                             @Schema(format = "date-time") String createdAt) {
    }

    @Schema(description = "A user's latest jobs, newest first.")
    public record JobHistory(long userId, List<JobSummary> jobs) {
    }

    @Schema(description = "A model on sale.")
    public record Model(String id,
                        @Schema(description = "per language: en, ru") Map<String, String> title,
                        @Schema(description = "per language: en, ru") Map<String, String> description,
                        @Schema(allowableValues = {"IMAGES", "PHOTO_EDIT", "VIDEO", "AUDIO"}) String category,
                        @Schema(allowableValues = {"IMAGE", "VIDEO", "AUDIO", "TEXT"}) String outputType,
                        boolean free,
                        @Schema(description = "the price of the default options, else the lowest") long priceMinor,
                        @Schema(description = "the price of the default options; null when an option that sets the"
                                + " price has no default") Long priceDefaultMinor,
                        long priceFromMinor,
                        @Schema(description = "the input fields that set the price") List<String> pricedBy,
                        String currency,
                        @Schema(description = "how long a result usually takes; null when unknown")
                        Integer typicalSeconds,
                        @Schema(description = "JSON Schema of the input") Map<String, Object> inputSchema,
                        Map<String, Object> defaults, Map<String, Object> example,
                        @Schema(description = "each input field's name, per language")
                        Map<String, Map<String, String>> fieldLabels,
                        String catalogVersion) {
    }

    @Schema(description = "Every model, enabled or not, and the price of every option combination.")
    public record PriceList(String catalogVersion, String currency, List<PricedModel> models) {
    }

    public record PricedModel(String id, String family, String kieModel, String category, boolean enabled,
                              boolean free, List<String> pricedBy, List<Price> prices, String source) {
    }

    @Schema(description = "The price of one combination of the options that set it, and what KIE charges for it.")
    public record Price(Map<String, Object> options, long priceMinor,
                        @Schema(description = "what KIE charges, in its credits (may be fractional)")
                        java.math.BigDecimal kieCredits,
                        @Schema(description = "KIE's price in US dollars, as a decimal string") String kieUsd) {
    }

    @Schema(description = "The KIE accounts (keys): whether each takes new tasks, and its credits.")
    public record KieAccounts(@Schema(description = "false while no key takes new tasks") boolean available,
                              Long version, @Schema(format = "date-time") String observedAt, List<KieKey> keys,
                              String note) {
    }

    public record KieKey(@Schema(description = "a fingerprint of the key, never the key") String keyId,
                         boolean available, String reason, Long credits,
                         @Schema(format = "date-time") String creditsAt, boolean creditsLow) {
    }

    @Schema(description = "One input field's problem.")
    public record FieldProblem(String field, String message) {
    }

    @Schema(description = "A job the timer is not moving on: open past its deadline, or its next check overdue.")
    public record StuckJob(@Schema(format = "uuid") String jobId, long userId, String model, String status,
                           String holdState, String taskId, @Schema(format = "date-time") String createdAt,
                           @Schema(format = "date-time") String deadlineAt,
                           @Schema(format = "date-time") String nextCheckAt,
                           @Schema(description = "past its deadline, or its next check is overdue") String why) {
    }

    @Schema(description = "A job that failed or was refused.")
    public record FailedJob(@Schema(format = "uuid") String jobId, long userId, String model, String status,
                            String reason, String detail, @Schema(format = "date-time") String finishedAt) {
    }

    @Schema(description = "A hold neither captured nor released yet.")
    public record OpenHold(@Schema(format = "uuid") String holdId, @Schema(format = "uuid") String jobId,
                           long userId, long amountMinor, String currency,
                           @Schema(format = "date-time") String placedAt) {
    }

    @Schema(description = "A topic's dead letters not replayed yet.")
    public record DeadLetters(String topic, @Schema(description = "records in <topic>-dlt not replayed yet")
                              long pending) {
    }

    @Schema(description = "One dead letter.")
    public record DeadLetter(int partition, long offset, String key, String type, String eventId,
                             @Schema(description = "the exception that sent it there") String reason) {
    }

    @Schema(description = "The dead letters of a topic that were sent back to it.")
    public record Replayed(String topic, int replayed, List<DeadLetter> letters) {
    }

    @Schema(description = "Everything the operator page shows, each part from the service that owns it; a part whose"
            + " service did not answer is null and named in unavailable.")
    public record Overview(@Schema(format = "date-time") String at,
                           io.kiepipeline.schemas.AnalyticsViews.Stats stats, KieAccounts kie,
                           List<StuckJob> stuckJobs, List<OpenHold> openHolds, List<DeadLetters> deadLetters,
                           List<FailedJob> recentFailures,
                           @Schema(description = "the parts that could not be read: analytics, kie, stuckJobs,"
                                   + " openHolds, deadLetters, recentFailures") List<String> unavailable) {
    }
}
