package dev.sessionops.claude.gateway;

import java.io.ByteArrayOutputStream;
import java.io.IOException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Reads the usage out of a model API response as its bytes pass through the gateway, chunk by chunk, without holding
 * the response back: for an event stream ({@code text/event-stream}) the {@code usage} of {@code message_start}
 * (input and cache tokens) overlaid with {@code message_delta}'s (the final output tokens, cumulative); for JSON the
 * top-level {@code usage}. Memory is bounded: a stream keeps at most one line of {@value #MAX_LINE} bytes, a JSON body
 * at most {@value #MAX_JSON} (a larger one is forwarded whole but not metered, and says so).
 */
public final class UsageMeter {
    static final int MAX_LINE = 64 * 1024;
    static final int MAX_JSON = 8 * 1024 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final boolean eventStream;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
    private boolean overflow;
    private String event;
    private ResponseUsage usage = ResponseUsage.NONE;

    private UsageMeter(boolean eventStream) {
        this.eventStream = eventStream;
    }

    /** For a response of this content type; null when it carries no usage (an error page, anything but JSON or SSE). */
    public static UsageMeter forContentType(String contentType) {
        String type = contentType == null ? "" : contentType.toLowerCase(java.util.Locale.ROOT);
        if (type.startsWith("text/event-stream")) {
            return new UsageMeter(true);
        }
        if (type.startsWith("application/json")) {
            return new UsageMeter(false);
        }
        return null;
    }

    public void feed(byte[] chunk) {
        if (!eventStream) {
            if (!overflow && pending.size() + chunk.length <= MAX_JSON) {
                pending.write(chunk, 0, chunk.length);
            } else {
                overflow = true;
                pending.reset();
            }
            return;
        }
        int start = 0;
        for (int i = 0; i < chunk.length; i++) {
            if (chunk[i] == '\n') {
                keep(chunk, start, i - start);
                line();
                start = i + 1;
            }
        }
        keep(chunk, start, chunk.length - start);
    }

    /** The usage read so far; after the last chunk, the response's. */
    public ResponseUsage usage() {
        if (!eventStream && !overflow && pending.size() > 0) {
            try {
                JsonNode body = JSON.readTree(pending.toByteArray());
                usage = usage.overlaid(text(body, "model"), body.get("usage"));
            } catch (IOException e) {
                // not JSON after all: nothing metered
            }
            pending.reset();
        }
        return usage;
    }

    /** A JSON body too large to read: forwarded, not metered. */
    public boolean overflowed() {
        return !eventStream && overflow;
    }

    private void keep(byte[] chunk, int from, int length) {
        if (overflow || length == 0) {
            return;
        }
        if (pending.size() + length > MAX_LINE) {
            overflow = true; // a line this long is content (a big delta), never the usage: skipped to its end
            pending.reset();
            return;
        }
        pending.write(chunk, from, length);
    }

    private void line() {
        boolean skipped = overflow;
        overflow = false;
        String line = skipped ? "" : pending.toString(java.nio.charset.StandardCharsets.UTF_8);
        pending.reset();
        if (line.endsWith("\r")) {
            line = line.substring(0, line.length() - 1);
        }
        if (line.isEmpty()) {
            if (!skipped) {
                event = null; // the blank line ends an event
            }
            return;
        }
        if (line.startsWith("event:")) {
            event = line.substring(6).strip();
        } else if (line.startsWith("data:") && ("message_start".equals(event) || "message_delta".equals(event))) {
            try {
                JsonNode data = JSON.readTree(line.substring(5).strip());
                if ("message_start".equals(event)) {
                    JsonNode message = data.path("message");
                    usage = usage.overlaid(text(message, "model"), message.get("usage"));
                } else {
                    usage = usage.overlaid(null, data.get("usage"));
                }
            } catch (IOException e) {
                // not JSON: no usage in it
            }
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node == null ? null : node.get(field);
        return v != null && v.isTextual() ? v.asText() : null;
    }
}
