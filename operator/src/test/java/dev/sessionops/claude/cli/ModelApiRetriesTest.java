package dev.sessionops.claude.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Folding a run's events into its model API retries: the real CLI's lines (fixtures/stream-json, CLI 2.1.330) and
 * retry sequences with the CLI's measured backoff.
 */
class ModelApiRetriesTest {

    /** The waits CLI 2.1.330 announced against a closed port, retry by retry (ms). */
    private static final long[] BACKOFF = { 577, 1200, 2500, 4200, 8600, 18000, 37000 };

    @Test
    void aRetryOfTheCliIsReadAsItsFields() {
        ApiRetry retry = ApiRetry.of(json("{\"type\":\"system\",\"subtype\":\"api_retry\",\"attempt\":1,\"max_retries\":10,"
                + "\"retry_delay_ms\":577,\"error_status\":null,\"error\":\"unknown\",\"session_id\":\"s\",\"uuid\":\"u\"}"))
                .orElseThrow();
        assertEquals(new ApiRetry(1, 10, 577, null, "unknown"), retry);
        assertEquals("connection error", retry.cause());
        assertEquals(2, retry.requests());
        assertEquals("HTTP 529 overloaded", new ApiRetry(3, 10, 2500, 529, "overloaded").cause());
        assertEquals("HTTP 500", new ApiRetry(3, 10, 2500, 500, null).cause());
        assertTrue(ApiRetry.of(json("{\"type\":\"system\",\"subtype\":\"init\"}")).isEmpty());
    }

    @Test
    void theRunsLinesGiveItsRetriesAndTheAnswerEndsThem() throws IOException {
        ModelApiRetries retried = fold(fixture("api-retried"));
        assertFalse(retried.retrying(), "the API answered after the second retry");
        assertEquals(2, retried.latest().attempt());
        assertEquals(1, retried.spells());

        ModelApiRetries midway = fold(fixture("api-retried").subList(0, 3)); // init and two retries
        assertTrue(midway.retrying());
        assertEquals("the model API did not answer (HTTP 529 overloaded); retrying, attempt 1 of 10", midway.describe(),
                "the second retry came 0.6 s after the first: not worth a status write");
        assertEquals(2, midway.latest().attempt());
    }

    @Test
    void theCliGivingUpIsNoAnswer() throws IOException {
        ModelApiRetries overloaded = fold(fixture("api-overloaded"));
        assertTrue(overloaded.retrying(), "its own assistant event (<synthetic>) and its api_error result are not answers");
        assertEquals(new ApiRetry(2, 2, 1189, 529, "overloaded"), overloaded.latest());

        ModelApiRetries unreachable = fold(fixture("api-unreachable"));
        assertTrue(unreachable.retrying());
        assertEquals(3, unreachable.latest().attempt());
        assertNull(unreachable.latest().errorStatus());
    }

    @Test
    void aRunWithoutRetriesHasNone() throws IOException {
        assertSame(ModelApiRetries.NONE, fold(fixture("text")));
        assertSame(ModelApiRetries.NONE, fold(fixture("api-error")), "a 400 is not retried");
        assertSame(ModelApiRetries.NONE, ModelApiRetries.NONE.next("not json at all"));
    }

    @Test
    void aStormOfRetriesIsShownEveryFewSecondsByTheCliWaits() {
        ModelApiRetries state = ModelApiRetries.NONE;
        List<Integer> shown = new ArrayList<>();
        for (int attempt = 1; attempt <= BACKOFF.length; attempt++) {
            ModelApiRetries next = state.next(retry(attempt, BACKOFF[attempt - 1], 529));
            if (next.shown() != state.shown()) {
                shown.add(next.shown().attempt());
            }
            state = next;
        }
        // 0.6 + 1.2 + 2.5 s after the first, the fourth is still within 5 s; the fifth is 8.5 s after it
        assertEquals(List.of(1, 5, 6, 7), shown);
        assertEquals("the model API did not answer (HTTP 529 overloaded); retrying, attempt 7 of 10", state.describe());
    }

    @Test
    void anAnswerEndsTheSpellAndTheNextRetryStartsAnother() {
        ModelApiRetries first = ModelApiRetries.NONE.next(retry(1, 577, null)).next(retry(2, 1200, null));
        ModelApiRetries answered = first.next(json("{\"type\":\"assistant\",\"message\":{\"model\":\"claude-opus-5-5\","
                + "\"content\":[{\"type\":\"text\",\"text\":\"hi\"}]}}"));
        assertFalse(answered.retrying());
        assertEquals(1, answered.spells());
        assertSame(answered, answered.next(json("{\"type\":\"assistant\",\"message\":{\"model\":\"m\"}}")),
                "answers after an answer change nothing");

        ModelApiRetries again = answered.next(retry(1, 600, 500));
        assertTrue(again.retrying());
        assertEquals(2, again.spells());
        assertEquals("the model API did not answer (HTTP 500 server_error); retrying, attempt 1 of 10", again.describe());

        ModelApiRetries resulted = again.next(json("{\"type\":\"result\",\"subtype\":\"success\",\"is_error\":false,"
                + "\"terminal_reason\":\"completed\"}"));
        assertFalse(resulted.retrying(), "a result that is not an API error is an answer");
    }

    private static String retry(int attempt, long delayMs, Integer status) {
        return "{\"type\":\"system\",\"subtype\":\"api_retry\",\"attempt\":" + attempt + ",\"max_retries\":10,"
                + "\"retry_delay_ms\":" + delayMs + ",\"error_status\":" + status + ",\"error\":\""
                + (status == null ? "unknown" : status == 529 ? "overloaded" : "server_error")
                + "\",\"session_id\":\"s\",\"uuid\":\"u\"}";
    }

    private static ModelApiRetries fold(List<String> lines) {
        ModelApiRetries state = ModelApiRetries.NONE;
        for (String line : lines) {
            state = state.next(line);
        }
        return state;
    }

    private static JsonNode json(String text) {
        try {
            return new ObjectMapper().readTree(text);
        } catch (IOException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static List<String> fixture(String name) throws IOException {
        try (InputStream in = ModelApiRetriesTest.class.getResourceAsStream("/fixtures/stream-json/" + name + ".jsonl")) {
            if (in == null) {
                throw new IllegalStateException("missing fixture " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        }
    }
}
