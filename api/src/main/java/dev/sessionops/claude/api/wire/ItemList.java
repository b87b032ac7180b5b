package dev.sessionops.claude.api.wire;

import java.util.List;

/** A list answer: {@code {"items":[…]}}, room left for paging fields later. */
public record ItemList<T>(List<T> items) {
}
