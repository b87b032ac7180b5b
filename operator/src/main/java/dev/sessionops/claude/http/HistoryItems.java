package dev.sessionops.claude.http;

import dev.sessionops.claude.api.wire.HistoryItem;
import dev.sessionops.claude.api.wire.HistoryPage;
import dev.sessionops.claude.history.HistoryStore;
import dev.sessionops.claude.history.HistoryEntry;

/** Stored history entries as the API's {@link HistoryItem}s (here, so the wire types do not depend on the store). */
final class HistoryItems {
    private HistoryItems() {
    }

    static HistoryItem of(HistoryEntry e) {
        return new HistoryItem(e.role(), e.content(), e.timestamp(), e.sessionId());
    }

    /** A page of a conversation as the API's {@link HistoryPage}, positions absolute. */
    static HistoryPage page(HistoryStore.Page page, Paging paging) {
        return HistoryPage.of(page.entries().stream().map(HistoryItems::of).toList(), paging.offset(), paging.limit(),
                page.total(), page.firstIndex());
    }
}
