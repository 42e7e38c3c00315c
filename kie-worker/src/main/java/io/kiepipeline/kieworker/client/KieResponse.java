package io.kiepipeline.kieworker.client;

import tools.jackson.databind.JsonNode;

/**
 * One answer from KIE. KIE answers HTTP 200 with the real outcome in the body's {@code code}; both are kept.
 *
 * @param httpStatus the HTTP status (0 when the request never got an answer)
 * @param code       the envelope's code (or the HTTP status when there is no envelope)
 * @param transport  whether an answer came, and if not, whether the request may have reached KIE
 */
public record KieResponse(int httpStatus, int code, String msg, JsonNode data, Transport transport) {
    /** How the exchange ended. */
    public enum Transport {
        /** KIE answered (any status). */
        ANSWERED,
        /** The connection was never made: KIE did not see the request. */
        NOT_SENT,
        /** The request was (or may have been) sent and the answer was lost: a timeout or reset while waiting. */
        ANSWER_LOST
    }

    /** An answer KIE gave ({@code httpStatus > 0}), or a request that was never sent ({@code httpStatus == 0}). */
    public KieResponse(int httpStatus, int code, String msg, JsonNode data) {
        this(httpStatus, code, msg, data, httpStatus == 0 ? Transport.NOT_SENT : Transport.ANSWERED);
    }

    public static KieResponse notSent(String msg) {
        return new KieResponse(0, 0, msg, null, Transport.NOT_SENT);
    }

    public static KieResponse answerLost(String msg) {
        return new KieResponse(0, 0, msg, null, Transport.ANSWER_LOST);
    }

    /**
     * KIE refused the account, not the request: 401 (the key is wrong or revoked), 402 (no credits left) or 433 (the
     * key's usage limit), in the HTTP status or the envelope. Every other request with this key would get the same.
     */
    public boolean accountRefused() {
        return transport == Transport.ANSWERED && (isAccountCode(httpStatus) || isAccountCode(code));
    }

    private static boolean isAccountCode(int c) {
        return c == 401 || c == 402 || c == 433;
    }

    public boolean ok() {
        return transport == Transport.ANSWERED && httpStatus == 200 && code == 200;
    }

    /** {@code data.taskId} of a createTask answer; null when missing or blank. */
    public String taskId() {
        String id = data == null ? null : data.path("taskId").asString(null);
        return id == null || id.isBlank() ? null : id;
    }

    /** What this answer to createTask says about the task (see {@link CreateTaskOutcome}). */
    public CreateTaskOutcome createTaskOutcome() {
        return switch (transport) {
            case NOT_SENT -> CreateTaskOutcome.NOT_CREATED;
            case ANSWER_LOST -> CreateTaskOutcome.AMBIGUOUS;
            case ANSWERED -> answered();
        };
    }

    private CreateTaskOutcome answered() {
        if (accountRefused()) {
            return CreateTaskOutcome.ACCOUNT_REFUSED;
        }
        if (httpStatus == 429 || httpStatus == 455) {
            return CreateTaskOutcome.NOT_CREATED;
        }
        if (httpStatus >= 500) {
            // a proxy's 502 or KIE's own 500: the request may have been processed before the error
            return CreateTaskOutcome.AMBIGUOUS;
        }
        if (httpStatus != 200) {
            return CreateTaskOutcome.REFUSED;
        }
        if (code == 200) {
            return taskId() != null ? CreateTaskOutcome.CREATED : CreateTaskOutcome.AMBIGUOUS;
        }
        if (code == 429 || code == 455) {
            return CreateTaskOutcome.NOT_CREATED;
        }
        // 501 "generation failed" and 505 "feature disabled" are KIE's final refusals; other 5xx may hide a task
        return code >= 500 && code != 501 && code != 505 ? CreateTaskOutcome.AMBIGUOUS : CreateTaskOutcome.REFUSED;
    }
}
