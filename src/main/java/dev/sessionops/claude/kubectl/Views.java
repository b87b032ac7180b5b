package dev.sessionops.claude.kubectl;

import java.util.Comparator;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.api.v1alpha1.ClaudeMessageStatus;
import dev.sessionops.claude.api.v1alpha1.ClaudeSession;
import dev.sessionops.claude.api.v1alpha1.ClaudeSessionStatus;

/**
 * What {@code -o json|yaml} prints: the shapes of the operator's HTTP API (the same field names whether the data
 * came from the API or, as here, from the custom resources), so a script reads one format.
 */
final class Views {
    static final ObjectMapper JSON = new ObjectMapper();

    private Views() {
    }

    /** A session as listed ({@code GET …/sessions} items, plus its phase). */
    static ObjectNode sessionInfo(ClaudeSession s) {
        ClaudeSessionStatus st = s.getStatus();
        ObjectNode n = JSON.createObjectNode();
        n.put("name", s.getMetadata().getName());
        n.put("created", created(s));
        n.put("lastActive", st == null ? null : st.getLastActive());
        n.put("messageCount", st == null ? 0 : st.getMessageCount());
        n.put("currentSessionId", st == null ? null : st.getCurrentSessionId());
        n.put("phase", st == null || st.getPhase() == null ? null : st.getPhase().name());
        return n;
    }

    /** One session ({@code GET …/sessions/{name}}): the list fields plus chain, cost, usage and message names. */
    static ObjectNode session(ClaudeSession s, List<ClaudeMessage> messages) {
        ClaudeSessionStatus st = s.getStatus();
        ObjectNode n = sessionInfo(s);
        ArrayNode chain = n.putArray("sessionChain");
        if (st != null && st.getSessionChain() != null) {
            st.getSessionChain().forEach(chain::add);
        }
        n.put("totalCostUsd", st == null ? 0 : st.getTotalCostUsd());
        n.set("usage", st == null || st.getUsage() == null ? null : JSON.valueToTree(st.getUsage()));
        ArrayNode names = n.putArray("messages");
        messages.stream().sorted(Messages.ORDER).forEach(m -> names.add(m.getMetadata().getName()));
        return n;
    }

    /** One message ({@code GET …/messages/{name}}). */
    static ObjectNode message(ClaudeMessage m) {
        ClaudeMessageStatus st = m.getStatus();
        ObjectNode n = JSON.createObjectNode();
        n.put("name", m.getMetadata().getName());
        n.put("session", m.getSpec().getSessionRef() == null ? null : m.getSpec().getSessionRef().getName());
        n.put("phase", st == null || st.getPhase() == null ? null : st.getPhase().name());
        n.put("prompt", m.getSpec().getPrompt());
        n.put("sessionId", st == null ? null : st.getSessionId());
        n.put("resumedFrom", st == null ? null : st.getResumedFrom());
        n.put("result", st == null ? null : st.getResult());
        n.put("costUsd", st == null ? null : st.getCostUsd());
        n.put("numTurns", st == null ? null : st.getNumTurns());
        n.put("durationMs", st == null ? null : st.getDurationMs());
        n.set("usage", st == null || st.getUsage() == null ? null : JSON.valueToTree(st.getUsage()));
        n.set("conditions", st == null || st.getConditions() == null ? JSON.createArrayNode()
                : JSON.valueToTree(st.getConditions()));
        return n;
    }

    static ObjectNode list(List<? extends JsonNode> items) {
        ObjectNode n = JSON.createObjectNode();
        n.putArray("items").addAll(items);
        return n;
    }

    /** When the conversation began: the status' {@code created}, else when the resource was. */
    static String created(ClaudeSession s) {
        if (s.getStatus() != null && s.getStatus().getCreated() != null) {
            return s.getStatus().getCreated();
        }
        return s.getMetadata().getCreationTimestamp();
    }

    static Comparator<ClaudeSession> byName() {
        return Comparator.comparing(s -> s.getMetadata().getName());
    }
}
