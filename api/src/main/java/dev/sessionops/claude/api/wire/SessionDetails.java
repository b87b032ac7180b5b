package dev.sessionops.claude.api.wire;

import java.util.List;

import dev.sessionops.claude.api.v1alpha1.ClaudeSession;
import dev.sessionops.claude.api.v1alpha1.ClaudeSessionStatus;
import dev.sessionops.claude.api.v1alpha1.SessionPhase;
import dev.sessionops.claude.api.v1alpha1.Usage;

/** One session: its {@link SessionInfo} fields, its status' totals and chain, and its messages in queue order. */
public record SessionDetails(String name, String created, String lastActive, long messageCount, String currentSessionId,
        SessionPhase phase, List<String> sessionChain, double totalCostUsd, Usage usage, List<String> messages) {

    public static SessionDetails of(ClaudeSession session, List<String> messages) {
        SessionInfo info = SessionInfo.of(session);
        ClaudeSessionStatus s = session.getStatus();
        return new SessionDetails(info.name(), info.created(), info.lastActive(), info.messageCount(),
                info.currentSessionId(), s == null ? null : s.getPhase(),
                s == null || s.getSessionChain() == null ? List.of() : s.getSessionChain(),
                s == null ? 0 : s.getTotalCostUsd(),
                s == null || s.getUsage() == null ? new Usage() : s.getUsage(), messages);
    }
}
