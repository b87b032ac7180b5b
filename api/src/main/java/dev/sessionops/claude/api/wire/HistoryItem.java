package dev.sessionops.claude.api.wire;

/**
 * One turn of a conversation, in ChannelCoder's {@code Message} shape. Built from plain values: the history store's
 * entry type stays out of the contract (the read API maps it, see {@code http.HistoryItems}).
 */
public record HistoryItem(String role, String content, String timestamp, String sessionId) {
}
