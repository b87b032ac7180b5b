package dev.sessionops.claude.kubectl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ArrayNode;

class ChannelCoderExportTest {

    /**
     * The expected text is what ChannelCoder's FileSessionStorage writes for the same SessionState: it was produced
     * with node's {@code JSON.stringify(state, null, 2)} of a state built like its SessionManager builds one
     * (sessionChain, messages, metadata, then currentSessionId; Dates for every time).
     */
    @Test
    void exportIsByteForByteWhatChannelCoderSaves() {
        ArrayNode history = OperatorApiStub.JSON.createArrayNode();
        history.addObject().put("role", "user").put("content", "Hello \"you\"\nline2 ü")
                .put("timestamp", "2026-11-25T13:15:00Z").put("sessionId", "a1b2").put("message", "chat-01");
        history.addObject().put("role", "assistant").put("content", "Hi")
                .put("timestamp", "2026-11-25T13:15:01.500000Z").put("sessionId", "a1b2");
        String json = ChannelCoderExport.stringify(ChannelCoderExport.sessionState("chat", List.of("a1b2", "c3d4"), "c3d4",
                "2026-11-25T13:14:59Z", "2026-11-25T13:15:01.5Z", history));
        assertEquals("""
                {
                  "sessionChain": [
                    "a1b2",
                    "c3d4"
                  ],
                  "messages": [
                    {
                      "role": "user",
                      "content": "Hello \\"you\\"\\nline2 ü",
                      "timestamp": "2026-11-25T13:15:00.000Z",
                      "sessionId": "a1b2"
                    },
                    {
                      "role": "assistant",
                      "content": "Hi",
                      "timestamp": "2026-11-25T13:15:01.500Z",
                      "sessionId": "a1b2"
                    }
                  ],
                  "metadata": {
                    "name": "chat",
                    "created": "2026-11-25T13:14:59.000Z",
                    "lastActive": "2026-11-25T13:15:01.500Z"
                  },
                  "currentSessionId": "c3d4"
                }""", json);
    }

    @Test
    void aSessionWithoutRunsHasEmptyListsAndNoCurrentSessionId() {
        String json = ChannelCoderExport.stringify(ChannelCoderExport.sessionState("empty", List.of(), null,
                "2026-11-25T13:14:59Z", "2026-11-25T13:14:59Z", OperatorApiStub.JSON.createArrayNode()));
        assertEquals("""
                {
                  "sessionChain": [],
                  "messages": [],
                  "metadata": {
                    "name": "empty",
                    "created": "2026-11-25T13:14:59.000Z",
                    "lastActive": "2026-11-25T13:14:59.000Z"
                  }
                }""", json);
    }

    @Test
    void timesBecomeJavaScriptDates() {
        assertEquals("2026-11-25T12:15:00.123Z", ChannelCoderExport.jsDate("2026-11-25T13:15:00.123456+01:00"));
        assertEquals("2026-11-25T13:15:00.000Z", ChannelCoderExport.jsDate("2026-11-25T13:15:00Z"));
        assertEquals("not a date", ChannelCoderExport.jsDate("not a date"));
    }
}
