package dev.sessionops.claude.queue;

import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.api.v1alpha1.ClaudeSession;

/**
 * Which incarnation of its session a message belongs to. A session deleted and created again under the same name is
 * another object: the old one's messages still name it (sessionRef) until garbage collection removes them, and one of
 * them may still be running. They are not the new session's: never adopted (owner reference), never started by it,
 * never recorded into its conversation.
 */
public final class SessionOwnership {
    private SessionOwnership() {
    }

    /** The message is owned by a session of its sessionRef's name that is not {@code session} (an earlier one). */
    public static boolean ofAnotherIncarnation(ClaudeMessage message, ClaudeSession session) {
        var owners = message.getMetadata().getOwnerReferences();
        String name = session.getMetadata().getName();
        String uid = session.getMetadata().getUid();
        return owners != null && owners.stream().anyMatch(o -> ClaudeSession.KIND.equals(o.getKind())
                && name.equals(o.getName()) && o.getUid() != null && !o.getUid().equals(uid));
    }
}
