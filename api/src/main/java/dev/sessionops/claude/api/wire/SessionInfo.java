package dev.sessionops.claude.api.wire;

import dev.sessionops.claude.api.v1alpha1.ClaudeSession;
import dev.sessionops.claude.api.v1alpha1.ClaudeSessionStatus;

/**
 * One session in a list (ChannelCoder's {@code SessionInfo}); from the ClaudeSession status, which mirrors the
 * conversation's Redis meta. Timestamps are RFC 3339 strings; a session that has not run yet has no lastActive.
 */
public record SessionInfo(String name, String created, String lastActive, long messageCount, String currentSessionId) {

    public static SessionInfo of(ClaudeSession session) {
        ClaudeSessionStatus s = session.getStatus();
        String created = s != null && s.getCreated() != null ? s.getCreated() : session.getMetadata().getCreationTimestamp();
        return new SessionInfo(session.getMetadata().getName(), created, s == null ? null : s.getLastActive(),
                s == null ? 0 : s.getMessageCount(), s == null ? null : s.getCurrentSessionId());
    }
}
