package dev.sessionops.claude.api.v1alpha1;

/**
 * A finished run the operator could not record yet (Redis unreachable): what it still needs to record it once Redis
 * is back, kept in the status so nothing is lost when the Job and its pod log are deleted meanwhile (the TTL
 * controller, a user). The run's figures are in the status beside it; the reply recorded is {@code status.result}.
 */
public class PendingRecord {
    private MessagePhase phase;
    private String reason;
    private String message;
    /** The prompt as it was run (the history's user entry). */
    private String prompt;
    /** Where the next turn resumes when this one succeeded (the run's last assistant event). */
    private String turnUuid;

    public MessagePhase getPhase() { return phase; }
    public void setPhase(MessagePhase phase) { this.phase = phase; }
    public String getReason() { return reason; }
    public void setReason(String reason) { this.reason = reason; }
    public String getMessage() { return message; }
    public void setMessage(String message) { this.message = message; }
    public String getPrompt() { return prompt; }
    public void setPrompt(String prompt) { this.prompt = prompt; }
    public String getTurnUuid() { return turnUuid; }
    public void setTurnUuid(String turnUuid) { this.turnUuid = turnUuid; }
}
