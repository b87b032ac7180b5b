package dev.sessionops.claude.api.v1alpha1;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import io.fabric8.kubernetes.api.model.Condition;

public class ClaudeSessionStatus {
    private SessionPhase phase;
    private String currentSessionId;
    /** Every Claude session id in order; a new id is appended only when it differs from the last. */
    private List<String> sessionChain = new ArrayList<>();
    private long messageCount;
    private String created;
    private String lastActive;
    private String activeMessage;
    /** The {@code spec.resetConversation} last carried out. */
    private String conversationReset;
    private double totalCostUsd;
    private Usage usage;
    private List<Condition> conditions = new ArrayList<>();
    private Long observedGeneration;

    public SessionPhase getPhase() { return phase; }
    public void setPhase(SessionPhase phase) { this.phase = phase; }
    public String getCurrentSessionId() { return currentSessionId; }
    public void setCurrentSessionId(String currentSessionId) { this.currentSessionId = currentSessionId; }
    public List<String> getSessionChain() { return sessionChain; }
    public void setSessionChain(List<String> sessionChain) { this.sessionChain = sessionChain; }
    public long getMessageCount() { return messageCount; }
    public void setMessageCount(long messageCount) { this.messageCount = messageCount; }
    public String getCreated() { return created; }
    public void setCreated(String created) { this.created = created; }
    public String getLastActive() { return lastActive; }
    public void setLastActive(String lastActive) { this.lastActive = lastActive; }
    public String getConversationReset() { return conversationReset; }
    public void setConversationReset(String conversationReset) { this.conversationReset = conversationReset; }
    public String getActiveMessage() { return activeMessage; }
    public void setActiveMessage(String activeMessage) { this.activeMessage = activeMessage; }
    public double getTotalCostUsd() { return totalCostUsd; }
    public void setTotalCostUsd(double totalCostUsd) { this.totalCostUsd = totalCostUsd; }
    public Usage getUsage() { return usage; }
    public void setUsage(Usage usage) { this.usage = usage; }
    public List<Condition> getConditions() { return conditions; }
    public void setConditions(List<Condition> conditions) { this.conditions = conditions; }
    public Long getObservedGeneration() { return observedGeneration; }
    public void setObservedGeneration(Long observedGeneration) { this.observedGeneration = observedGeneration; }

    /** Value equality: the reconciler writes the status only when it differs from what it read. */
    @Override
    public boolean equals(Object o) {
        return o instanceof ClaudeSessionStatus s && phase == s.phase && Objects.equals(currentSessionId, s.currentSessionId)
                && Objects.equals(sessionChain, s.sessionChain) && messageCount == s.messageCount
                && Objects.equals(created, s.created) && Objects.equals(lastActive, s.lastActive)
                && Objects.equals(activeMessage, s.activeMessage)
                && Objects.equals(conversationReset, s.conversationReset) && Double.compare(totalCostUsd, s.totalCostUsd) == 0
                && Objects.equals(usage, s.usage) && Objects.equals(conditions, s.conditions)
                && Objects.equals(observedGeneration, s.observedGeneration);
    }

    @Override
    public int hashCode() {
        return Objects.hash(phase, currentSessionId, sessionChain, messageCount, created, lastActive, activeMessage,
                conversationReset,
                totalCostUsd, usage, conditions, observedGeneration);
    }
}
