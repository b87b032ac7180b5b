package dev.sessionops.claude.queue;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;

import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.api.v1alpha1.ClaudeSession;
import dev.sessionops.claude.api.v1alpha1.MessagePhase;

/** The order in which a session's messages run: strictly one at a time, by creationTimestamp, then name. */
public final class MessageQueue {

    /** RFC 3339 timestamps with second precision sort as strings; the name breaks ties. */
    public static final Comparator<ClaudeMessage> ORDER = Comparator
            .comparing((ClaudeMessage m) -> nullToEmpty(m.getMetadata().getCreationTimestamp()))
            .thenComparing(m -> m.getMetadata().getName());

    /** The session's condition that it can run messages (its state volume and history are there). */
    static final String READY = "Ready";

    private MessageQueue() {
    }

    /**
     * The message that may run now: the first one not yet finished, or none when all are. One the user cancelled
     * before it started is passed over (its own reconciler ends it); one already running stays the head.
     */
    public static Optional<ClaudeMessage> head(List<ClaudeMessage> sessionMessages) {
        return sessionMessages.stream().filter(m -> !isTerminal(m) && !(cancelled(m) && phase(m) != MessagePhase.Running))
                .min(ORDER);
    }

    /**
     * Its session starts {@code message} as soon as it sees it: the session is ready and holds no turn (or this
     * message's), and the message heads its queue. False when in doubt: the caller then shows the message queued.
     *
     * @param sessionMessages the messages naming the session (an index of the cache; the message among them)
     */
    public static boolean startsNow(ClaudeSession session, ClaudeMessage message, List<ClaudeMessage> sessionMessages) {
        var status = session.getStatus();
        if (status == null || status.getConditions() == null || Boolean.TRUE.equals(session.getSpec().getSuspend())) {
            return false;
        }
        String claim = status.getActiveMessage();
        if (claim != null && !claim.equals(message.getMetadata().getName())) {
            return false;
        }
        boolean ready = status.getConditions().stream()
                .anyMatch(c -> READY.equals(c.getType()) && "True".equals(c.getStatus()));
        return ready && head(sessionMessages.stream().filter(m -> !SessionOwnership.ofAnotherIncarnation(m, session)).toList())
                .map(head -> head.getMetadata().getUid().equals(message.getMetadata().getUid())).orElse(false);
    }

    public static boolean cancelled(ClaudeMessage m) {
        return m.getSpec() != null && Boolean.TRUE.equals(m.getSpec().getCancel());
    }

    /** How many messages wait to run: neither finished nor running (a message without a status waits too). */
    public static long waiting(List<ClaudeMessage> sessionMessages) {
        return sessionMessages.stream().filter(m -> !isTerminal(m) && phase(m) != MessagePhase.Running).count();
    }

    public static Optional<ClaudeMessage> running(List<ClaudeMessage> sessionMessages) {
        return sessionMessages.stream().filter(m -> phase(m) == MessagePhase.Running).min(ORDER);
    }

    public static boolean isTerminal(ClaudeMessage m) {
        MessagePhase p = phase(m);
        return p != null && p.isTerminal();
    }

    public static MessagePhase phase(ClaudeMessage m) {
        return m.getStatus() == null ? null : m.getStatus().getPhase();
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
