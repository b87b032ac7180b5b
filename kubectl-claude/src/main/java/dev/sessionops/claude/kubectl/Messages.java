package dev.sessionops.claude.kubectl;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Optional;

import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.api.v1alpha1.MessagePhase;
import io.fabric8.kubernetes.api.model.Condition;

/** Reading a ClaudeMessage's state: terminal or not, its Succeeded condition, waiting for the end. */
final class Messages {
    static final Duration POLL = Duration.ofMillis(500);
    /** The order messages of a session run in: creation time, then name (DESIGN §3). */
    static final Comparator<ClaudeMessage> ORDER = Comparator
            .comparing((ClaudeMessage m) -> m.getMetadata().getCreationTimestamp() == null ? ""
                    : m.getMetadata().getCreationTimestamp())
            .thenComparing(m -> m.getMetadata().getName());

    private Messages() {
    }

    static MessagePhase phase(ClaudeMessage m) {
        return m.getStatus() == null ? null : m.getStatus().getPhase();
    }

    static boolean isTerminal(ClaudeMessage m) {
        MessagePhase p = phase(m);
        return p != null && p.isTerminal();
    }

    static Optional<Condition> succeeded(ClaudeMessage m) {
        if (m.getStatus() == null || m.getStatus().getConditions() == null) {
            return Optional.empty();
        }
        return m.getStatus().getConditions().stream().filter(c -> "Succeeded".equals(c.getType())).findFirst();
    }

    /**
     * Polls until the message is terminal (the status write follows the run's last event by a moment). Polling,
     * not a watch: one GET every half second costs the API server little and behaves the same on every server.
     *
     * @param timeout null for no limit
     * @return the terminal message, or empty on timeout
     * @throws CliException when the message is deleted meanwhile
     */
    static Optional<ClaudeMessage> awaitTerminal(Kube kube, String name, Duration timeout) {
        Instant deadline = timeout == null ? null : Instant.now().plus(timeout);
        while (true) {
            ClaudeMessage m = kube.message(name);
            if (m == null) {
                throw new CliException(ExitCodes.NOT_FOUND, "claudemessage \"" + name + "\" was deleted", null);
            }
            if (isTerminal(m)) {
                return Optional.of(m);
            }
            if (deadline != null && Instant.now().isAfter(deadline)) {
                return Optional.empty();
            }
            PodLogFollower.sleep(POLL);
        }
    }
}
