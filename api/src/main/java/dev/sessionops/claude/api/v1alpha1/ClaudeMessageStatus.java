package dev.sessionops.claude.api.v1alpha1;

import java.util.ArrayList;
import java.util.List;

import io.fabric8.kubernetes.api.model.Condition;

public class ClaudeMessageStatus {
    private MessagePhase phase;
    private String sessionId;
    /** The Claude session id this run resumed ({@code --resume}); empty for the first message of a conversation. */
    private String resumedFrom;
    private String jobName;
    private String startedAt;
    private String completedAt;
    /** Since when the message has waited for the reason its condition names (missing inputs, a quota). */
    private String waitingSince;
    private Long durationMs;
    private Integer numTurns;
    private Double costUsd;
    private Usage usage;
    /** The run's usage as the credential gateway read it from the model API's answers (only with the gateway). */
    private GatewayUsage gatewayUsage;
    private String result;
    private Boolean resultTruncated;
    /** Tools the CLI was not allowed to use during this run. */
    private List<String> permissionDenials;
    /** A finished run waiting to be recorded in Redis (null once recorded, and for every run Redis recorded at once). */
    private PendingRecord pendingRecord;
    private List<Condition> conditions = new ArrayList<>();
    private Long observedGeneration;

    public MessagePhase getPhase() { return phase; }
    public void setPhase(MessagePhase phase) { this.phase = phase; }
    public String getSessionId() { return sessionId; }
    public void setSessionId(String sessionId) { this.sessionId = sessionId; }
    public String getResumedFrom() { return resumedFrom; }
    public void setResumedFrom(String resumedFrom) { this.resumedFrom = resumedFrom; }
    public String getJobName() { return jobName; }
    public void setJobName(String jobName) { this.jobName = jobName; }
    public String getStartedAt() { return startedAt; }
    public void setStartedAt(String startedAt) { this.startedAt = startedAt; }
    public String getCompletedAt() { return completedAt; }
    public void setCompletedAt(String completedAt) { this.completedAt = completedAt; }
    public String getWaitingSince() { return waitingSince; }
    public void setWaitingSince(String waitingSince) { this.waitingSince = waitingSince; }
    public Long getDurationMs() { return durationMs; }
    public void setDurationMs(Long durationMs) { this.durationMs = durationMs; }
    public Integer getNumTurns() { return numTurns; }
    public void setNumTurns(Integer numTurns) { this.numTurns = numTurns; }
    public Double getCostUsd() { return costUsd; }
    public void setCostUsd(Double costUsd) { this.costUsd = costUsd; }
    public Usage getUsage() { return usage; }
    public void setUsage(Usage usage) { this.usage = usage; }
    public GatewayUsage getGatewayUsage() { return gatewayUsage; }
    public void setGatewayUsage(GatewayUsage gatewayUsage) { this.gatewayUsage = gatewayUsage; }
    public String getResult() { return result; }
    public void setResult(String result) { this.result = result; }
    public Boolean getResultTruncated() { return resultTruncated; }
    public void setResultTruncated(Boolean resultTruncated) { this.resultTruncated = resultTruncated; }
    public List<String> getPermissionDenials() { return permissionDenials; }
    public void setPermissionDenials(List<String> permissionDenials) { this.permissionDenials = permissionDenials; }
    public PendingRecord getPendingRecord() { return pendingRecord; }
    public void setPendingRecord(PendingRecord pendingRecord) { this.pendingRecord = pendingRecord; }
    public List<Condition> getConditions() { return conditions; }
    public void setConditions(List<Condition> conditions) { this.conditions = conditions; }
    public Long getObservedGeneration() { return observedGeneration; }
    public void setObservedGeneration(Long observedGeneration) { this.observedGeneration = observedGeneration; }
}
