package dev.sessionops.claude.api.wire;

import java.util.List;

/** A page of a conversation, oldest first; {@code total} is the length of the whole history. */
public record HistoryPage(List<HistoryItem> items, long offset, int limit, long total) {
}
