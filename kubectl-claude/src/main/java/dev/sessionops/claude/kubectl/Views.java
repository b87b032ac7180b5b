package dev.sessionops.claude.kubectl;

import java.util.Comparator;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.api.v1alpha1.ClaudeSession;
import dev.sessionops.claude.api.v1alpha1.ClaudeSessionStatus;
import dev.sessionops.claude.api.wire.ItemList;
import dev.sessionops.claude.api.wire.MessageDetails;
import dev.sessionops.claude.api.wire.SessionDetails;
import dev.sessionops.claude.api.wire.SessionInfo;

/**
 * What {@code -o json|yaml} prints: the operator's HTTP API's own records ({@code api.wire}), built from the custom
 * resources with the same factories the API uses and serialized here, so the field names cannot drift from the
 * API's and a script reads one format.
 */
final class Views {
    static final ObjectMapper JSON = new ObjectMapper();
    /** The one field the plugin adds to the API's shape: a session list item's {@link SessionInfo} plus this. */
    static final String PHASE = "phase";

    private Views() {
    }

    /**
     * A session as listed: {@code GET …/sessions}' item ({@link SessionInfo}) with {@code phase} appended after the
     * record's fields (the table shows the phase, so its JSON does too).
     */
    static ObjectNode sessionInfo(ClaudeSession s) {
        ClaudeSessionStatus st = s.getStatus();
        ObjectNode n = JSON.valueToTree(SessionInfo.of(s));
        n.put(PHASE, st == null || st.getPhase() == null ? null : st.getPhase().name());
        return n;
    }

    /** One session ({@code GET …/sessions/{name}}, {@link SessionDetails}); its messages in queue order. */
    static ObjectNode session(ClaudeSession s, List<ClaudeMessage> messages) {
        List<String> names = messages.stream().sorted(Messages.ORDER).map(m -> m.getMetadata().getName()).toList();
        return JSON.valueToTree(SessionDetails.of(s, names));
    }

    /** One message ({@code GET …/messages/{name}}, {@link MessageDetails}). */
    static ObjectNode message(ClaudeMessage m) {
        return JSON.valueToTree(MessageDetails.of(m));
    }

    /** A list answer ({@link ItemList}). */
    static ObjectNode list(List<? extends JsonNode> items) {
        return JSON.valueToTree(new ItemList<>(items));
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
