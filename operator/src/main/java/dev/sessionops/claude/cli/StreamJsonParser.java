package dev.sessionops.claude.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Reads the CLI's {@code --output-format stream-json} output (one JSON event per line, as in the pod log) into a
 * {@link RunOutcome}. Uses the {@code system/init}, {@code system/api_retry}, {@code assistant} and {@code result}
 * events; other events ({@code user} tool results, {@code system/permission_denied}, …) are skipped, as are blank and
 * non-JSON lines (stderr shares the pod log).
 */
public final class StreamJsonParser {

    static final int MAX_OTHER_LINES = 20;
    /** Characters kept of one line that is not an event (it ends up in a condition's message). */
    static final int MAX_OTHER_LINE_CHARS = 1000;
    /**
     * Characters kept of the assistant's text (the reply of a run without a result event): 1 Mi, as much as the
     * history keeps of a reply ({@code Completion.MAX_REPLY_CHARS}).
     */
    public static final int MAX_TEXT_CHARS = 1 << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    private String initSessionId;
    private String model;
    private String cwd;
    private final StringBuilder assistantText = new StringBuilder();
    private int textBlocks;
    private boolean textCut;
    private String lastAssistantUuid;
    private final Deque<String> otherLines = new ArrayDeque<>();
    private JsonNode result;
    private ModelApiRetries apiRetries = ModelApiRetries.NONE;
    /** Tools the model called that were not in the tool list (a bare name in --disallowedTools removes the tool). */
    private final Set<String> unavailableTools = new LinkedHashSet<>();
    private static final java.util.regex.Pattern UUID =
            java.util.regex.Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    private static final java.util.regex.Pattern NO_SUCH_TOOL =
            java.util.regex.Pattern.compile("No such tool available: ([A-Za-z0-9_-]+)");

    /** A parser fed line by line ({@link #accept}), for a log read as a stream; {@link #outcome()} at its end. */
    public StreamJsonParser() {
    }

    public static RunOutcome parse(String output) {
        return parse(new StringReader(output));
    }

    /** Reads to the end of {@code output}; does not close it. */
    public static RunOutcome parse(Reader output) {
        StreamJsonParser parser = new StreamJsonParser();
        try {
            BufferedReader lines = new BufferedReader(output);
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                parser.accept(line);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return parser.outcome();
    }

    /** One line of the log (surrounding blanks are ignored). */
    public void accept(String line) {
        line = line.strip();
        if (line.isEmpty()) {
            return;
        }
        JsonNode event = line.startsWith("{") ? read(line) : null;
        if (event == null || !event.path("type").isTextual()) {
            other(line.length() > MAX_OTHER_LINE_CHARS ? line.substring(0, MAX_OTHER_LINE_CHARS) + "…" : line);
            return;
        }
        apiRetries = apiRetries.next(event);
        switch (event.get("type").asText()) {
            case "system" -> {
                if (event.path("subtype").asText().equals("init")) {
                    initSessionId = text(event, "session_id");
                    model = text(event, "model");
                    cwd = text(event, "cwd");
                }
            }
            case "assistant" -> {
                // a subagent's messages carry the Task call's id; they are not the conversation's reply
                if (event.path("parent_tool_use_id").isNull() || event.path("parent_tool_use_id").isMissingNode()) {
                    String uuid = text(event, "uuid");
                    // the agent's tools share stdout: only a UUID becomes the next run's --resume-session-at
                    lastAssistantUuid = uuid != null && UUID.matcher(uuid).matches() ? uuid : lastAssistantUuid;
                    for (JsonNode block : event.path("message").path("content")) {
                        if (block.path("type").asText().equals("text")) {
                            addText(block.path("text").asText());
                        }
                    }
                }
            }
            case "user" -> {
                for (JsonNode block : event.path("message").path("content")) {
                    if (block.path("type").asText().equals("tool_result") && block.path("is_error").asBoolean(false)) {
                        var m = NO_SUCH_TOOL.matcher(block.path("content").toString());
                        if (m.find()) {
                            unavailableTools.add(m.group(1));
                        }
                    }
                }
            }
            case "result" -> result = event; // the last one wins, should the CLI ever print several
            default -> {
            }
        }
    }

    /**
     * A line too long to be read ({@code bytes} long, {@code start} its beginning): not an event the run's outcome can
     * use, but said among the other lines, so a result lost this way is explained.
     */
    public void skipped(String start, long bytes) {
        other("[a line of " + bytes + " bytes was too long to read: " + start.strip() + "…]");
    }

    private void other(String line) {
        otherLines.addLast(line);
        if (otherLines.size() > MAX_OTHER_LINES) {
            otherLines.removeFirst();
        }
    }

    private void addText(String text) {
        if (textCut) {
            return;
        }
        if (textBlocks++ > 0) {
            text = "\n" + text;
        }
        int room = MAX_TEXT_CHARS - assistantText.length();
        if (text.length() > room) {
            assistantText.append(text, 0, room);
            textCut = true;
        } else {
            assistantText.append(text);
        }
    }

    /** What the log said, as far as it was read. */
    public RunOutcome outcome() {
        boolean hasResult = result != null;
        JsonNode r = hasResult ? result : JSON.missingNode();
        boolean isError = r.path("is_error").asBoolean(false);
        String resultText = text(r, "result");
        Set<String> errors = new LinkedHashSet<>();
        r.path("errors").forEach(e -> errors.add(e.isTextual() ? e.asText() : e.toString()));
        if (isError && resultText != null && !resultText.isBlank()) {
            errors.add(resultText);
        }
        List<String> denials = new ArrayList<>();
        r.path("permission_denials").forEach(d -> denials.add(d.path("tool_name").asText()));
        // The CLI lists only rule-based denials; a disallowed tool the model asked for anyway is a denial too.
        unavailableTools.stream().filter(t -> !denials.contains(t)).forEach(denials::add);
        double costUsd = r.path("total_cost_usd").asDouble(0);
        return new RunOutcome(
                initSessionId != null ? initSessionId : text(r, "session_id"),
                model,
                cwd,
                hasResult,
                resultText,
                isError,
                text(r, "subtype"),
                r.path("num_turns").asInt(0),
                r.path("duration_ms").asLong(0),
                costUsd,
                runCost(r, costUsd),
                usage(r.path("usage")),
                denials,
                assistantText.toString() + (textCut ? "…" : ""),
                lastAssistantUuid,
                List.copyOf(errors),
                List.copyOf(otherLines),
                apiRetries,
                text(r, "terminal_reason"));
    }

    private static double runCost(JsonNode result, double totalCost) {
        JsonNode perModel = result.path("model_usage_since_last_result");
        if (!perModel.isObject()) {
            return totalCost;
        }
        double cost = 0;
        for (JsonNode m : perModel) {
            cost += m.path("costUSD").asDouble(0);
        }
        return cost;
    }

    private static TokenUsage usage(JsonNode u) {
        return new TokenUsage(u.path("input_tokens").asLong(0), u.path("output_tokens").asLong(0),
                u.path("cache_creation_input_tokens").asLong(0), u.path("cache_read_input_tokens").asLong(0));
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.path(field);
        return v.isTextual() ? v.asText() : null;
    }

    private static JsonNode read(String line) {
        try {
            return JSON.readTree(line);
        } catch (JsonProcessingException e) {
            return null;
        }
    }
}
