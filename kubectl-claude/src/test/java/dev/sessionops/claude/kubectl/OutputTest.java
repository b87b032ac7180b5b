package dev.sessionops.claude.kubectl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ObjectNode;

class OutputTest {

    @Test
    void tablesAlignColumnsLikeKubectl() {
        String t = new Table("NAME", "MESSAGES", "SESSION ID", "LAST ACTIVE", "PHASE")
                .row("chat", 3, "0f3c-11", "5m", "Idle")
                .row("a-much-longer-name", 0, null, "", "Pending").render();
        assertEquals("""
                NAME                 MESSAGES   SESSION ID   LAST ACTIVE   PHASE
                chat                 3          0f3c-11      5m            Idle
                a-much-longer-name   0          <none>       <none>        Pending
                """, t);
    }

    @Test
    void jsonAndYaml() {
        ObjectNode n = OperatorApiStub.JSON.createObjectNode().put("name", "chat").put("messageCount", 2)
                .put("currentSessionId", "123").putNull("lastActive");
        n.putArray("sessionChain").add("123");
        assertEquals("""
                {
                  "name" : "chat",
                  "messageCount" : 2,
                  "currentSessionId" : "123",
                  "lastActive" : null,
                  "sessionChain" : [ "123" ]
                }
                """, OutputFormat.json.render(n));
        // a numeric-looking id stays a string in YAML
        assertEquals("""
                name: chat
                messageCount: 2
                currentSessionId: "123"
                lastActive: null
                sessionChain:
                - "123"
                """, OutputFormat.yaml.render(n));
    }

    @Test
    void agesReadLikeKubectls() {
        assertEquals("45s", Ages.format(Duration.ofSeconds(45)));
        assertEquals("3m12s", Ages.format(Duration.ofSeconds(192)));
        assertEquals("42m", Ages.format(Duration.ofMinutes(42)));
        assertEquals("5h", Ages.format(Duration.ofHours(5)));
        assertEquals("2d3h", Ages.format(Duration.ofHours(51)));
        assertEquals("30d", Ages.format(Duration.ofDays(30)));
        Instant now = Instant.parse("2026-11-25T13:20:00Z");
        assertEquals("5m", Ages.since("2026-11-25T13:15:00Z", now));
        assertEquals(null, Ages.since(null, now));
    }
}
