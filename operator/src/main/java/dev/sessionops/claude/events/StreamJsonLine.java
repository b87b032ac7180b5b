package dev.sessionops.claude.events;

import java.util.Optional;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Which log lines are events: a stream-json line is a JSON object with a string {@code type} (system, assistant,
 * user, result, …). Anything else in the log (stderr of the CLI or of git) is not passed on.
 */
final class StreamJsonLine {
    static final String RESULT = "result";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern TYPE = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    private StreamJsonLine() {
    }

    /** The event type of a stream-json line, or empty when the line is not one. */
    static Optional<String> type(String line) {
        String trimmed = line.strip();
        if (!trimmed.startsWith("{")) {
            return Optional.empty();
        }
        try {
            JsonNode type = JSON.readTree(trimmed).get("type");
            // the type becomes the SSE event name: one plain word, never a line break
            return type != null && type.isTextual() && TYPE.matcher(type.asText()).matches() ? Optional.of(type.asText())
                    : Optional.empty();
        } catch (JsonProcessingException e) {
            return Optional.empty();
        }
    }
}
