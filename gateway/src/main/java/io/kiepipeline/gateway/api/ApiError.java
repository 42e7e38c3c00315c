package io.kiepipeline.gateway.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.kiepipeline.gateway.api.model.ApiModel.FieldProblem;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;

/** The error body of every refused API call: a stable code, a sentence for people, and each field's problem. */
@Schema(description = "Why a request was refused.")
public record ApiError(
        @Schema(description = "a stable code: unauthorized, invalid_request, malformed_body, unknown_model,"
                + " invalid_input, idempotency_key_reused, unavailable, ...") String error,
        @Schema(description = "for people") String message,
        @Schema(description = "invalid_input only: each field's problem, in the request's language")
        @JsonInclude(JsonInclude.Include.NON_NULL) List<FieldProblem> problems) {
    public ApiError(String error, String message) {
        this(error, message, null);
    }

    public static ResponseEntity<Object> of(HttpStatus status, String error, String message) {
        return ResponseEntity.status(status).body(new ApiError(error, message));
    }
}
