package dev.sessionops.claude.cli;

import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One {@code system/api_retry} event: the CLI could not get an answer from the model API and tries again. Measured
 * with CLI 2.1.330: {@code {"type":"system","subtype":"api_retry","attempt":1,"max_retries":10,"retry_delay_ms":577,
 * "error_status":null,"error":"unknown",…}}; {@code attempt} counts the retries (the first request is not one),
 * {@code retry_delay_ms} is the wait before the next request (about 0.6 s, 1.2 s, 2.5 s, 4.2 s, 8.6 s, 18 s, 37 s …),
 * {@code error_status} the HTTP status when there was one (null: no connection), {@code error} a short kind
 * ({@code overloaded}, {@code server_error}, {@code unknown} for a refused connection, …).
 *
 * @param attempt the retry's number, from 1
 * @param maxRetries how many retries the CLI makes before it gives up ({@code CLAUDE_CODE_MAX_RETRIES}, default 10)
 * @param retryDelayMs how long the CLI waits before the request this retry announces
 * @param errorStatus the HTTP status of the failed request; null when there was no answer at all
 * @param error the CLI's short kind of the failure; null when it gave none
 */
public record ApiRetry(int attempt, int maxRetries, long retryDelayMs, Integer errorStatus, String error) {

    static final String SUBTYPE = "api_retry";
    /** The CLI's kind when there was no HTTP answer (connection refused, DNS, reset). */
    private static final String UNKNOWN = "unknown";

    /** The retry an event announces; empty for every other event. */
    public static Optional<ApiRetry> of(JsonNode event) {
        if (!"system".equals(event.path("type").asText()) || !SUBTYPE.equals(event.path("subtype").asText())) {
            return Optional.empty();
        }
        JsonNode status = event.path("error_status");
        JsonNode error = event.path("error");
        return Optional.of(new ApiRetry(event.path("attempt").asInt(0), event.path("max_retries").asInt(0),
                event.path("retry_delay_ms").asLong(0), status.isInt() ? status.asInt() : null,
                error.isTextual() && !error.asText().isBlank() ? error.asText() : null));
    }

    /** What went wrong, in a few words: {@code HTTP 529 overloaded}, {@code connection error}. */
    public String cause() {
        if (errorStatus == null) {
            return error == null || UNKNOWN.equals(error) ? "connection error" : "connection error: " + error;
        }
        return "HTTP " + errorStatus + (error == null || UNKNOWN.equals(error) ? "" : " " + error);
    }

    /** Requests made so far, this retry's included: the first one and every retry. */
    public int requests() {
        return attempt + 1;
    }
}
