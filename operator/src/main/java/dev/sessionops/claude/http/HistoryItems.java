package dev.sessionops.claude.http;

import dev.sessionops.claude.api.wire.HistoryItem;
import dev.sessionops.claude.history.HistoryEntry;

/** A stored history entry as the API's {@link HistoryItem} (here, so the wire types do not depend on the store). */
final class HistoryItems {
    private HistoryItems() {
    }

    static HistoryItem of(HistoryEntry e) {
        return new HistoryItem(e.role(), e.content(), e.timestamp(), e.sessionId());
    }
}
