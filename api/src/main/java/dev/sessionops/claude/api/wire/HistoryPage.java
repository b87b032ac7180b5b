package dev.sessionops.claude.api.wire;

import java.util.List;

/**
 * A page of a conversation, oldest first. Positions are absolute: {@code offset} names the same entry however many
 * old ones were trimmed since ({@code cso.history.max-entries}).
 *
 * @param items      the entries kept at positions {@code max(offset, firstIndex)} to {@code offset + limit - 1}
 * @param total      how many entries were ever recorded, trimmed ones included (the next entry's position)
 * @param firstIndex the position of the oldest entry kept; those before it were trimmed
 * @param trimmed    whether older entries were trimmed ({@code firstIndex > 0})
 */
public record HistoryPage(List<HistoryItem> items, long offset, int limit, long total, long firstIndex, boolean trimmed) {

    public static HistoryPage of(List<HistoryItem> items, long offset, int limit, long total, long firstIndex) {
        return new HistoryPage(items, offset, limit, total, firstIndex, firstIndex > 0);
    }
}
