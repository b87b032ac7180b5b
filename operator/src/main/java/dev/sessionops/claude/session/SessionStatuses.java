package dev.sessionops.claude.session;

import java.util.ArrayList;

import dev.sessionops.claude.api.v1alpha1.ClaudeSession;
import dev.sessionops.claude.api.v1alpha1.ClaudeSessionStatus;

/** A session's status as the reconciler handles it: always present, and compared before it is written. */
final class SessionStatuses {
    private SessionStatuses() {
    }

    /** The status, created (with its conditions list) when missing. */
    static ClaudeSessionStatus of(ClaudeSession session) {
        if (session.getStatus() == null) {
            session.setStatus(new ClaudeSessionStatus());
        }
        if (session.getStatus().getConditions() == null) {
            session.getStatus().setConditions(new ArrayList<>());
        }
        return session.getStatus();
    }

    /** A cheap change check so an unchanged status is not written again (each write wakes every watcher). */
    static String snapshot(ClaudeSession session) {
        var s = session.getStatus();
        if (s == null) {
            return "";
        }
        return String.join("|", String.valueOf(s.getPhase()), String.valueOf(s.getCurrentSessionId()),
                String.valueOf(s.getSessionChain()), String.valueOf(s.getMessageCount()), String.valueOf(s.getLastActive()),
                String.valueOf(s.getActiveMessage()), String.valueOf(s.getTotalCostUsd()),
                s.getUsage() == null ? "" : s.getUsage().getInputTokens() + "/" + s.getUsage().getOutputTokens(),
                String.valueOf(s.getObservedGeneration()), String.valueOf(s.getCreated()),
                s.getConditions() == null ? "" : s.getConditions().stream()
                        .map(c -> c.getType() + c.getStatus() + c.getReason() + c.getMessage()).toList().toString());
    }
}
