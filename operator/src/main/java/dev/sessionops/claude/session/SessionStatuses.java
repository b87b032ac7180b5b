package dev.sessionops.claude.session;

import java.util.ArrayList;

import dev.sessionops.claude.api.v1alpha1.ClaudeSession;
import dev.sessionops.claude.api.v1alpha1.ClaudeSessionStatus;
import io.fabric8.kubernetes.client.utils.Serialization;

/** A session's status as the reconciler handles it: always present, and compared (equals) before it is written. */
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

    /** A deep copy, to compare the status the reconciler computed with the one it read. */
    static ClaudeSessionStatus copy(ClaudeSessionStatus status) {
        return status == null ? null : Serialization.clone(status);
    }
}
