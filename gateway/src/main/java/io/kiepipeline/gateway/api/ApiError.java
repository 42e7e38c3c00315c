package io.kiepipeline.gateway.api;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;

/** The error body of every refused API call: a stable code and a sentence for people. */
public record ApiError(String error, String message) {
    public static ResponseEntity<Object> of(HttpStatus status, String error, String message) {
        return ResponseEntity.status(status).body(new ApiError(error, message));
    }
}
