package dev.sessionops.claude.api.v1alpha1;

/**
 * What the model API itself reported for a run, as the operator's credential gateway saw it pass (the trusted
 * figure; {@code usage} and {@code costUsd} beside it are what the CLI in the pod claims).
 */
public class GatewayUsage {
    /** Model API responses that reported usage. */
    private long requests;
    private long inputTokens;
    private long outputTokens;
    private long cacheCreationInputTokens;
    private long cacheReadInputTokens;
    /** The gateway's estimate at list prices (what a namespace budget counts). */
    private double costUsd;

    public long getRequests() { return requests; }
    public void setRequests(long requests) { this.requests = requests; }
    public long getInputTokens() { return inputTokens; }
    public void setInputTokens(long inputTokens) { this.inputTokens = inputTokens; }
    public long getOutputTokens() { return outputTokens; }
    public void setOutputTokens(long outputTokens) { this.outputTokens = outputTokens; }
    public long getCacheCreationInputTokens() { return cacheCreationInputTokens; }
    public void setCacheCreationInputTokens(long v) { this.cacheCreationInputTokens = v; }
    public long getCacheReadInputTokens() { return cacheReadInputTokens; }
    public void setCacheReadInputTokens(long v) { this.cacheReadInputTokens = v; }
    public double getCostUsd() { return costUsd; }
    public void setCostUsd(double costUsd) { this.costUsd = costUsd; }
}
