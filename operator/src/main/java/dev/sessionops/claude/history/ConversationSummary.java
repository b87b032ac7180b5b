package dev.sessionops.claude.history;

import java.util.List;

/** The conversation's bookkeeping in Redis, mirrored into the ClaudeSession status. */
public record ConversationSummary(
        String created,
        String lastActive,
        long messageCount,
        String currentSessionId,
        List<String> chain,
        double totalCostUsd,
        long inputTokens,
        long outputTokens,
        long cacheCreationInputTokens,
        long cacheReadInputTokens) {
}
