package dev.sessionops.claude.kubectl;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.sessionops.claude.api.v1alpha1.ClaudeSession;

/**
 * A session as ChannelCoder saves one, so {@code session.load(file)} there continues it: the {@code SessionState}
 * interface of ChannelCoder's {@code src/session.ts}, written by its {@code FileSessionStorage.save} as
 * {@code JSON.stringify(state, null, 2)}:
 * <pre>
 * { "sessionChain": [ids…],
 *   "messages": [{"role": "user"|"assistant", "content", "timestamp", "sessionId"}…],
 *   "metadata": {"name", "created", "lastActive"},
 *   "currentSessionId": id (left out when there is none) }
 * </pre>
 * Dates are JavaScript's {@code Date.toJSON()} form ({@code 2026-11-25T13:15:00.000Z}, always milliseconds, UTC),
 * and the layout is {@code JSON.stringify}'s with two spaces, so a saved and an exported session compare equal.
 */
final class ChannelCoderExport {
    private static final DateTimeFormatter JS_DATE =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
    /** {@code JSON.stringify(value, null, 2)}: "key": value, one element a line, empty containers as [] and {}. */
    private static final ObjectWriter STRINGIFY = Views.JSON.writer(new DefaultPrettyPrinter(
            Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                    .withObjectEmptySeparator("").withArrayEmptySeparator(""))
            .withObjectIndenter(new DefaultIndenter("  ", "\n"))
            .withArrayIndenter(new DefaultIndenter("  ", "\n")));

    private ChannelCoderExport() {
    }

    static ObjectNode sessionState(ClaudeSession s, JsonNode historyItems) {
        var st = s.getStatus();
        List<String> chain = st == null || st.getSessionChain() == null ? List.of() : st.getSessionChain();
        String created = Views.created(s);
        String lastActive = st != null && st.getLastActive() != null ? st.getLastActive() : created;
        return sessionState(s.getMetadata().getName(), chain, st == null ? null : st.getCurrentSessionId(), created,
                lastActive, historyItems);
    }

    static ObjectNode sessionState(String name, List<String> chain, String currentSessionId, String created,
            String lastActive, JsonNode historyItems) {
        ObjectNode state = Views.JSON.createObjectNode();
        ArrayNode c = state.putArray("sessionChain");
        chain.forEach(c::add);
        ArrayNode messages = state.putArray("messages");
        for (JsonNode e : historyItems) {
            ObjectNode m = messages.addObject();
            m.put("role", e.path("role").asText());
            m.put("content", e.path("content").asText(""));
            m.put("timestamp", jsDate(e.path("timestamp").asText(null)));
            m.put("sessionId", e.path("sessionId").asText(""));
        }
        ObjectNode metadata = state.putObject("metadata");
        metadata.put("name", name);
        metadata.put("created", jsDate(created));
        metadata.put("lastActive", jsDate(lastActive));
        // last, as in ChannelCoder's files: its SessionManager sets currentSessionId after creating the state
        if (currentSessionId != null && !currentSessionId.isEmpty()) {
            state.put("currentSessionId", currentSessionId);
        }
        return state;
    }

    /** The text {@code FileSessionStorage} writes (no final line break). */
    static String stringify(ObjectNode state) {
        try {
            return STRINGIFY.writeValueAsString(state);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An ISO-8601 instant as {@code Date.toJSON()} writes it; anything unreadable stays as it is. */
    static String jsDate(String iso) {
        if (iso == null || iso.isBlank()) {
            return iso;
        }
        try {
            return JS_DATE.format(Instant.parse(iso));
        } catch (DateTimeParseException e) {
            try {
                return JS_DATE.format(OffsetDateTime.parse(iso).toInstant());
            } catch (DateTimeParseException e2) {
                return iso;
            }
        }
    }
}
