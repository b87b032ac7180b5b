package dev.sessionops.claude.kubectl;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A session's conversation from the operator's API ({@code …/sessions/{name}/history}, oldest first, paged):
 * Redis is the operator's, so the CLI reads it through the API, never directly.
 */
final class History {
    static final int PAGE = 200;

    private History() {
    }

    /**
     * Entries as one page of the API's shape ({@code items}, {@code offset}, {@code limit}, {@code total},
     * {@code firstIndex}, {@code trimmed}). Positions are absolute: those before {@code firstIndex} were trimmed by the
     * operator's cap, so the items start at the later of {@code offset} and {@code firstIndex}.
     *
     * @param offset  the first entry (0: the oldest ever recorded)
     * @param limit   at most this many; null for all
     * @param fromEnd the last {@code limit} entries instead of those from {@code offset}
     */
    static ObjectNode read(Kube kube, String session, long offset, Long limit, boolean fromEnd) {
        JsonNode head = page(kube, session, 0, 1);
        long total = head.path("total").asLong();
        long firstIndex = head.path("firstIndex").asLong();
        long start = fromEnd && limit != null ? Math.max(0, total - limit) : offset;
        long end = limit == null ? total : Math.min(total, start + limit);
        List<JsonNode> items = new ArrayList<>();
        for (long next = Math.max(start, firstIndex); next < end;) {
            JsonNode page = page(kube, session, next, Math.min(PAGE, end - next));
            JsonNode pageItems = page.path("items");
            // a turn recorded meanwhile may have trimmed more: the page then starts at its firstIndex
            next = Math.max(next, page.path("firstIndex").asLong());
            firstIndex = Math.max(firstIndex, page.path("firstIndex").asLong());
            if (pageItems.isEmpty()) {
                break;
            }
            pageItems.forEach(items::add);
            next += pageItems.size();
        }
        ObjectNode result = Views.JSON.createObjectNode();
        result.putArray("items").addAll(items);
        result.put("offset", start);
        result.put("limit", limit == null ? items.size() : limit);
        result.put("total", total);
        result.put("firstIndex", firstIndex);
        result.put("trimmed", firstIndex > 0);
        return result;
    }

    private static JsonNode page(Kube kube, String session, long offset, long limit) {
        return kube.api().get(OperatorApi.history(kube.namespace(), session, offset, limit));
    }
}
