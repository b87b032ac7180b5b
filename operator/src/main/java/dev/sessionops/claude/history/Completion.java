package dev.sessionops.claude.history;

/**
 * What one finished message contributes to its conversation.
 *
 * @param turnUuid a succeeded run's last assistant event ({@code uuid}): the next turn resumes there, so a failed
 *        turn after it is not part of the conversation the model sees (null: resume at the end, as before)
 */
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
        long cacheReadInputTokens,
        String turnUuid) {
}
