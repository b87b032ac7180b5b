package dev.sessionops.claude.history;

/** What one finished message contributes to its conversation. */
public record Completion(
        String messageUid,
        String messageName,
        boolean succeeded,
        String prompt,
        String reply,
        String sessionId,
        String startedAt,
        String completedAt,
        double costUsd,
        long inputTokens,
        long outputTokens,
        long cacheCreationInputTokens,
        long cacheReadInputTokens) {
}
