package dev.sessionops.claude.cli;

import java.time.Duration;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The model API's retries in a run so far, folded from the run's stream-json events in log order ({@link #next}); pure
 * and immutable, so the same log always gives the same value (a follower that reads the log again after a restart
 * gets it back). A <em>spell</em> is a run of {@code api_retry} events that ends when the API answers: an
 * {@code assistant} event that is not the CLI's own ({@code model: "<synthetic>"}, which is how it reports the error
 * it gave up on), or a {@code result} that is not an API error ({@code terminal_reason: "api_error"}).
 *
 * <p>The retry worth showing ({@code shown}) changes far less often than the retries come: the first retry of a spell,
 * then the first one at least {@link #SHOW_EVERY} after the last shown, measured by the waits the CLI announces
 * ({@code retry_delay_ms}), not by when the follower happened to read the lines. With the CLI's backoff (0.6 s, 1.2 s,
 * 2.5 s, 4.2 s, 8.6 s, …) that shows retries 1, 5, 6, 7 …: a status written a few times a minute at most.
 *
 * @param latest the newest retry (null: none yet)
 * @param shown the retry to report (null: none yet)
 * @param answered the API answered after {@code latest}: the spell is over
 * @param spells how many spells the run has had (1 during the first)
 * @param sinceShownMs the waits the CLI announced since {@code shown}
 */
public record ModelApiRetries(ApiRetry latest, ApiRetry shown, boolean answered, int spells, long sinceShownMs) {

    /** No retry yet. */
    public static final ModelApiRetries NONE = new ModelApiRetries(null, null, false, 0, 0);
    /** The least time between two retries shown. */
    public static final Duration SHOW_EVERY = Duration.ofSeconds(5);
    static final String SYNTHETIC_MODEL = "<synthetic>";
    static final String API_ERROR = "api_error";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** After one more log line (a line that is not a stream-json event changes nothing). */
    public ModelApiRetries next(String line) {
        String trimmed = line.strip();
        // most lines cannot change anything: not parsed
        if (!trimmed.startsWith("{") || !retrying() && !trimmed.contains(ApiRetry.SUBTYPE)) {
            return this;
        }
        try {
            return next(JSON.readTree(trimmed));
        } catch (JsonProcessingException e) {
            return this;
        }
    }

    /** After one more event. */
    public ModelApiRetries next(JsonNode event) {
        var retry = ApiRetry.of(event);
        if (retry.isPresent()) {
            ApiRetry r = retry.get();
            if (latest == null || answered) {
                return new ModelApiRetries(r, r, false, spells + 1, 0);
            }
            long since = sinceShownMs + latest.retryDelayMs();
            return since >= SHOW_EVERY.toMillis() ? new ModelApiRetries(r, r, false, spells, 0)
                    : new ModelApiRetries(r, shown, false, spells, since);
        }
        if (retrying() && apiAnswered(event)) {
            return new ModelApiRetries(latest, shown, true, spells, sinceShownMs);
        }
        return this;
    }

    /** The CLI is between retries: the API has not answered since the latest. */
    public boolean retrying() {
        return latest != null && !answered;
    }

    /** For the message's condition: {@code the model API did not answer (HTTP 529 overloaded); retrying, attempt 3 of 10}. */
    public String describe() {
        if (shown == null) {
            return "the model API answered";
        }
        return "the model API did not answer (" + shown.cause() + "); retrying, attempt " + shown.attempt()
                + (shown.maxRetries() > 0 ? " of " + shown.maxRetries() : "");
    }

    /** An event that only the API's answer produces. */
    static boolean apiAnswered(JsonNode event) {
        String type = event.path("type").asText();
        if ("assistant".equals(type)) {
            return !event.path("is_api_error_message").asBoolean(false)
                    && !SYNTHETIC_MODEL.equals(event.path("message").path("model").asText());
        }
        return "result".equals(type) && !API_ERROR.equals(event.path("terminal_reason").asText());
    }
}
