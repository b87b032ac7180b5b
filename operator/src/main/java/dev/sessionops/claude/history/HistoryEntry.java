package dev.sessionops.claude.history;

/** One turn of the conversation as stored in Redis (ChannelCoder's message shape plus the ClaudeMessage name). */
public record HistoryEntry(String role, String content, String timestamp, String sessionId, String message) {
    public static final String USER = "user";
    public static final String ASSISTANT = "assistant";
}
