package dev.sessionops.claude.kubectl;

import java.util.Optional;

/**
 * Reads a {@code text/event-stream} line by line (the WHATWG rules we need): {@code id:}, {@code event:},
 * {@code data:} (several join with newlines), comments starting with {@code :}, and a blank line ending the event.
 */
final class SseParser {
    private String id;
    private String event;
    private StringBuilder data;

    /** Feeds one line (without its line break); returns the event a blank line completes. */
    Optional<SseEvent> line(String line) {
        if (line.isEmpty()) {
            return dispatch();
        }
        if (line.startsWith(":")) {
            return Optional.empty();
        }
        int colon = line.indexOf(':');
        String field = colon < 0 ? line : line.substring(0, colon);
        String value = colon < 0 ? "" : line.substring(colon + 1);
        if (value.startsWith(" ")) {
            value = value.substring(1);
        }
        switch (field) {
            case "id" -> id = value;
            case "event" -> event = value;
            case "data" -> {
                if (data == null) {
                    data = new StringBuilder(value);
                } else {
                    data.append('\n').append(value);
                }
            }
            default -> {
                // "retry" and unknown fields do not matter here
            }
        }
        return Optional.empty();
    }

    /** At the end of the stream: an event without its final blank line still counts. */
    Optional<SseEvent> end() {
        return dispatch();
    }

    private Optional<SseEvent> dispatch() {
        if (data == null) {
            event = null;
            return Optional.empty();
        }
        SseEvent e = new SseEvent(id, event == null ? "message" : event, data.toString());
        event = null;
        data = null;
        // the id persists across events, as the spec says (it is the reconnection point)
        return Optional.of(e);
    }
}
