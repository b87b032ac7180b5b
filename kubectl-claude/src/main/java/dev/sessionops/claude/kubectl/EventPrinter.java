package dev.sessionops.claude.kubectl;

import java.io.PrintWriter;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Prints a run's stream-json events for a person: the assistant's text as it arrives, a short line per tool call,
 * and the final result only when it is not the text already shown (the CLI's result repeats the last reply).
 * Errors are left to the caller, which reports the message's condition once. Subagent traffic (events with a
 * {@code parent_tool_use_id}) and tool results are not part of the conversation's reply and are skipped.
 * With {@code raw}, prints each event's JSON line as it came (for scripts and debugging).
 */
final class EventPrinter {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final PrintWriter out;
    private final boolean raw;
    private final Progress progress;
    private volatile boolean sawEvent;
    private String lastText;
    private boolean sawResult;
    private boolean printedSomething;

    EventPrinter(PrintWriter out, boolean raw) {
        this(out, raw, Progress.SILENT);
    }

    /** @param progress where the CLI's retry events are told (stderr), as they are no part of the reply */
    EventPrinter(PrintWriter out, boolean raw, Progress progress) {
        this.out = out;
        this.raw = raw;
        this.progress = progress;
    }

    /** One event from the API ({@code event} names its type) or one pod log line ({@code event} null). */
    void accept(String event, String data) {
        JsonNode json = parse(data);
        if (SseEvent.STATUS.equals(event)) {
            status(json, data);
            return;
        }
        if (json == null || !json.path("type").isTextual()) {
            return; // stderr or other non-event lines of a pod log
        }
        if (!sawEvent) {
            sawEvent = true;
            progress.status(Progress.RUNNING); // the run's first event: it has started, whatever the pod's status says
        }
        if (raw) {
            out.println(data.strip());
            printedSomething = true;
        } else {
            progress.note(StatusLine.retry(json));
        }
        switch (json.get("type").asText()) {
            case "assistant" -> assistant(json);
            case "result" -> result(json);
            default -> {
            }
        }
        out.flush();
    }

    boolean sawResult() {
        return sawResult;
    }

    /** A stream-json event of the run arrived: it has started. */
    boolean sawEvent() {
        return sawEvent;
    }

    boolean printedSomething() {
        return printedSomething;
    }

    private void assistant(JsonNode json) {
        JsonNode parent = json.path("parent_tool_use_id");
        if (raw || !(parent.isNull() || parent.isMissingNode())) {
            return;
        }
        for (JsonNode block : json.path("message").path("content")) {
            switch (block.path("type").asText()) {
                case "text" -> text(block.path("text").asText());
                case "tool_use" -> line(ToolSummary.line(block.path("name").asText("?"), block.path("input")));
                default -> {
                }
            }
        }
    }

    private void result(JsonNode json) {
        sawResult = true;
        if (raw || json.path("is_error").asBoolean(false)) {
            return;
        }
        String text = json.path("result").isTextual() ? json.get("result").asText() : null;
        if (text != null && !text.isBlank() && !text.strip().equals(lastText)) {
            text(text);
        }
    }

    /** The API's replacement for expired events: the finished message; its result is all there is to show. */
    private void status(JsonNode message, String data) {
        sawResult = true;
        if (raw) {
            out.println(data.strip());
            printedSomething = true;
        } else if (message != null && message.path("result").isTextual() && !message.get("result").asText().isBlank()) {
            text(message.get("result").asText());
        }
        out.flush();
    }

    private void text(String text) {
        if (text.isBlank()) {
            return;
        }
        line(text.strip());
        lastText = text.strip();
    }

    private void line(String line) {
        out.println(line);
        printedSomething = true;
    }

    private static JsonNode parse(String data) {
        if (data == null || !data.stripLeading().startsWith("{")) {
            return null;
        }
        try {
            return JSON.readTree(data);
        } catch (JsonProcessingException e) {
            return null;
        }
    }
}
