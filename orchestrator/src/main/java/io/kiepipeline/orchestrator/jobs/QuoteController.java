package io.kiepipeline.orchestrator.jobs;

import io.kiepipeline.orchestrator.catalog.ModelCatalog.Checked;
import io.kiepipeline.orchestrator.jobs.core.JobIntake;
import io.kiepipeline.orchestrator.jobs.core.Quote;
import io.kiepipeline.schemas.Language;
import io.kiepipeline.schemas.MessageCodec;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/**
 * Quotes for the gateway ({@code POST /api/v1/quotes}): the input is checked and priced as a job would be, and the
 * quote is stored; a job that names it holds exactly its price. A refused input names each field in the user's
 * language.
 */
@RestController
public class QuoteController {
    private final JobIntake intake;
    private final Quotes quotes;
    private final Clock clock;
    private final KieAvailability kie;

    QuoteController(JobIntake intake, Quotes quotes, Clock clock, KieAvailability kie) {
        this.intake = intake;
        this.quotes = quotes;
        this.clock = clock;
        this.kie = kie;
    }

    /** Body: {@code {userId, model, input, language}}; the gateway checked the types and sizes. */
    @PostMapping("/internal/quotes")
    @Transactional
    ResponseEntity<Map<String, Object>> quote(@RequestBody JsonNode body) {
        long userId = body.path("userId").asLong();
        String model = body.path("model").asString("");
        @SuppressWarnings("unchecked")
        Map<String, Object> input = body.path("input").isObject()
                ? MessageCodec.mapper().convertValue(body.get("input"), Map.class) : Map.of();
        Language language = Language.fromTag(body.path("language").asString(null));
        Instant now = clock.instant();
        if (!kie.available()) {
            return error(HttpStatus.SERVICE_UNAVAILABLE, "temporarily_unavailable", language == Language.RU
                    ? "генерация временно недоступна, попробуйте через несколько минут"
                    : "generation is temporarily unavailable, try again in a few minutes", null);
        }
        return switch (intake.quote(model, input, language)) {
            case Checked.UnknownModel u -> error(HttpStatus.NOT_FOUND, "unknown_model", "no model " + model
                    + "; see GET /api/v1/models", null);
            case Checked.Disabled d -> error(HttpStatus.CONFLICT, "model_disabled", model + " is not available now",
                    null);
            case Checked.InvalidInput i -> error(HttpStatus.UNPROCESSABLE_ENTITY, "invalid_input", i.summary(),
                    i.problems().stream().map(p -> Map.of("field", p.field(), "message", p.message())).toList());
            case Checked.Valid v -> {
                Quote q = intake.issue(UUID.randomUUID(), userId, v, now);
                quotes.insert(q);
                Map<String, Object> out = quoteBody(q);
                out.put("options", v.sku().when());
                yield ResponseEntity.status(HttpStatus.CREATED).body(out);
            }
        };
    }

    /** A quote as the API shows it. */
    public static Map<String, Object> quoteBody(Quote q) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("quoteId", q.quoteId().toString());
        body.put("userId", q.userId());
        body.put("model", q.model());
        body.put("input", q.input());
        body.put("priceMinor", q.priceMinor());
        body.put("currency", q.currency());
        body.put("catalogVersion", q.catalogVersion());
        body.put("expiresAt", q.expiresAt().toString());
        return body;
    }

    private static ResponseEntity<Map<String, Object>> error(HttpStatus status, String code, String message,
                                                             Object problems) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", code);
        body.put("message", message);
        if (problems != null) {
            body.put("problems", problems);
        }
        return ResponseEntity.status(status).body(body);
    }
}
