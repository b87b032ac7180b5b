package dev.sessionops.claude.history;

import java.util.List;

import dev.sessionops.claude.api.v1alpha1.ClaudeMessageStatus;
import dev.sessionops.claude.api.v1alpha1.MessagePhase;
import dev.sessionops.claude.api.v1alpha1.Usage;

/**
 * How a message ended, as its status says it: recorded with the turn in the same Redis script, so the status can be
 * rebuilt from Redis when its write was lost and the Job (with its log) is gone.
 */
public record Outcome(MessagePhase phase, String reason, String message, String result, Boolean resultTruncated,
        String sessionId, Integer numTurns, Double costUsd, Long durationMs, Usage usage, List<String> permissionDenials,
        String startedAt, String completedAt) {

    /** The outcome a terminal status states ({@code phase}, {@code reason}, {@code message}: its verdict). */
    public static Outcome of(ClaudeMessageStatus s, MessagePhase phase, String reason, String message) {
        return new Outcome(phase, reason, message, s.getResult(), s.getResultTruncated(), s.getSessionId(), s.getNumTurns(),
                s.getCostUsd(), s.getDurationMs(), s.getUsage(), s.getPermissionDenials(), s.getStartedAt(),
                s.getCompletedAt());
    }

    /** Writes the run's figures into {@code status} (phase and condition are the caller's: they come with an Event). */
    public void fill(ClaudeMessageStatus s) {
        s.setResult(result);
        s.setResultTruncated(resultTruncated);
        s.setSessionId(sessionId);
        s.setNumTurns(numTurns);
        s.setCostUsd(costUsd);
        s.setDurationMs(durationMs);
        s.setUsage(usage);
        s.setPermissionDenials(permissionDenials);
        if (startedAt != null) {
            s.setStartedAt(startedAt);
        }
        s.setCompletedAt(completedAt);
    }
}
