package io.kiepipeline.kieworker.client;

import tools.jackson.databind.JsonNode;

/**
 * One answer from KIE. KIE answers HTTP 200 with the real outcome in the body's {@code code}; both are kept.
 *
 * @param httpStatus the HTTP status (0 when the request never got an answer)
 * @param code       the envelope's code (or the HTTP status when there is no envelope)
 */
public record KieResponse(int httpStatus, int code, String msg, JsonNode data) {
    public boolean ok() {
        return httpStatus == 200 && code == 200;
    }

    /**
     * Network errors, HTTP 429 and 5xx, and the envelope codes that mean "try later" (429 rate limited, 455
     * maintenance, 500 server error) are worth retrying. Every other 4xx (401 key, 402 credits, 422 validation, 433
     * sub-key limit) is not: retrying cannot change the answer.
     */
    public boolean retryable() {
        if (httpStatus == 0 || httpStatus == 429 || httpStatus >= 500) {
            return true;
        }
        return httpStatus == 200 && (code == 429 || code == 455 || code == 500);
    }
}
