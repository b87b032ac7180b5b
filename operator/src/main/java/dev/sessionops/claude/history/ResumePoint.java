package dev.sessionops.claude.history;

/**
 * Where a conversation's next turn continues: its Claude session and, when recorded, the last assistant event of
 * its last succeeded turn. The CLI keeps a failed turn's prompt in its transcript and would send it again, merged
 * with the next prompt; resuming at that event ({@code --resume-session-at}) leaves it out, so the model sees what the
 * history shows.
 *
 * @param sessionId the Claude session id ({@code --resume})
 * @param atUuid the event to resume at; null for turns recorded before it was kept (resume at the end)
 */
public record ResumePoint(String sessionId, String atUuid) {
}
