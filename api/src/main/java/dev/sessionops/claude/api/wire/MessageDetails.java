package dev.sessionops.claude.api.wire;

import java.util.List;

import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.api.v1alpha1.ClaudeMessageStatus;
import dev.sessionops.claude.api.v1alpha1.MessagePhase;
import dev.sessionops.claude.api.v1alpha1.Usage;
import io.fabric8.kubernetes.api.model.Condition;

/**
 * One message: its session, its prompt (null when it comes from a ConfigMap: the API does not read ConfigMaps for
 * its callers) and its status. No Job spec or env: nothing here can carry a credential.
 */
public record MessageDetails(String name, String session, String created, MessagePhase phase, String prompt,
        String sessionId, String resumedFrom, String result, Boolean resultTruncated, Double costUsd, Integer numTurns,
        Long durationMs, Usage usage, String jobName, String startedAt, String completedAt, List<String> permissionDenials,
        List<Condition> conditions) {

    public static MessageDetails of(ClaudeMessage m) {
        ClaudeMessageStatus s = m.getStatus() == null ? new ClaudeMessageStatus() : m.getStatus();
        var spec = m.getSpec();
        return new MessageDetails(m.getMetadata().getName(),
                spec == null || spec.getSessionRef() == null ? null : spec.getSessionRef().getName(),
                m.getMetadata().getCreationTimestamp(), s.getPhase(), spec == null ? null : spec.getPrompt(),
                s.getSessionId(), s.getResumedFrom(), s.getResult(), s.getResultTruncated(), s.getCostUsd(),
                s.getNumTurns(), s.getDurationMs(), s.getUsage(), s.getJobName(), s.getStartedAt(), s.getCompletedAt(),
                s.getPermissionDenials(), s.getConditions() == null ? List.of() : s.getConditions());
    }
}
