package dev.sessionops.claude.message;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;

import dev.sessionops.claude.api.v1alpha1.ClaudeMessageStatus;

/**
 * How long a finished message is kept ({@code cso.messages.ttl-after-finished}): counted from when it ended (its
 * {@code completedAt}, else the time its Succeeded condition became final, for one that never ran). Pure.
 */
public final class Retention {
    private Retention() {
    }

    /** Time left before the message goes; empty when it is kept (no TTL, or no end time to count from). */
    public static Optional<Duration> untilExpiry(ClaudeMessageStatus status, Optional<Duration> ttl, Instant now) {
        if (ttl.isEmpty() || status == null || status.getPhase() == null || !status.getPhase().isTerminal()) {
            return Optional.empty();
        }
        Optional<Instant> ended = endedAt(status);
        if (ended.isEmpty()) {
            return Optional.empty();
        }
        Duration left = Duration.between(now, ended.get().plus(ttl.get()));
        return Optional.of(left.isNegative() ? Duration.ZERO : left);
    }

    private static Optional<Instant> endedAt(ClaudeMessageStatus status) {
        String at = status.getCompletedAt();
        if (at == null && status.getConditions() != null) {
            at = status.getConditions().stream().filter(c -> ClaudeMessageReconciler.SUCCEEDED.equals(c.getType()))
                    .map(c -> c.getLastTransitionTime()).findFirst().orElse(null);
        }
        try {
            return Optional.ofNullable(at).map(Instant::parse);
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
