package dev.sessionops.claude.history;

/**
 * What one finished message contributes to its conversation.
 *
 * @param reply the run's reply, at most {@link #MAX_REPLY_CHARS} characters of it (then said so at its end): a
 *        conversation keeps up to {@code cso.history.max-entries} of them
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
    /** The most of one reply the history keeps: 1 Mi characters (a model's longest replies are a fraction of it). */
    public static final int MAX_REPLY_CHARS = 1 << 20;

    public Completion {
        reply = capped(reply);
    }

    static String capped(String reply) {
        if (reply == null || reply.length() <= MAX_REPLY_CHARS) {
            return reply;
        }
        // never split a surrogate pair: half an emoji is not text
        int end = Character.isHighSurrogate(reply.charAt(MAX_REPLY_CHARS - 1)) ? MAX_REPLY_CHARS - 1 : MAX_REPLY_CHARS;
        return reply.substring(0, end) + "\n[… the reply had " + reply.length() + " characters; the history keeps "
                + MAX_REPLY_CHARS + "]";
    }
}
