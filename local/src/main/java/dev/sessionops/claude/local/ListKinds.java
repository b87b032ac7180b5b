package dev.sessionops.claude.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The embedded API answers every list as {@code kind: List, apiVersion: v1}; a Kubernetes API server names it by
 * its items ({@code EventList}, {@code ClaudeMessageList} in their group version), and typed clients such as
 * {@code kubectl describe} reading an object's Events decode nothing from a plain {@code List}.
 */
final class ListKinds {
    private ListKinds() {
    }

    /** The list named after its items' kind and group version; anything else unchanged. */
    static JsonNode named(JsonNode json) {
        if (json instanceof ObjectNode list && "List".equals(list.path("kind").asText()) && list.path("items").isArray()
                && !list.path("items").isEmpty()) {
            JsonNode first = list.path("items").get(0);
            if (first.path("kind").isTextual() && first.path("apiVersion").isTextual()) {
                list.put("kind", first.get("kind").asText() + "List");
                list.put("apiVersion", first.get("apiVersion").asText());
            }
        }
        return json;
    }
}
