package dev.sessionops.claude.http;

import dev.sessionops.claude.history.HistoryEntry;

/** One turn of a conversation, in ChannelCoder's {@code Message} shape. */
public record HistoryItem(String role, String content, String timestamp, String sessionId) {

    static HistoryItem of(HistoryEntry e) {
        return new HistoryItem(e.role(), e.content(), e.timestamp(), e.sessionId());
    }
}
