package dev.sessionops.claude.api.v1alpha1;

/** Token usage as the CLI reports it in its result event. */
public class Usage {
    private long inputTokens;
    private long outputTokens;
    private long cacheCreationInputTokens;
    private long cacheReadInputTokens;

    public Usage() {
    }

    public Usage(long inputTokens, long outputTokens, long cacheCreationInputTokens, long cacheReadInputTokens) {
        this.inputTokens = inputTokens;
        this.outputTokens = outputTokens;
        this.cacheCreationInputTokens = cacheCreationInputTokens;
        this.cacheReadInputTokens = cacheReadInputTokens;
    }

    public long getInputTokens() { return inputTokens; }
    public void setInputTokens(long inputTokens) { this.inputTokens = inputTokens; }
    public long getOutputTokens() { return outputTokens; }
    public void setOutputTokens(long outputTokens) { this.outputTokens = outputTokens; }
    public long getCacheCreationInputTokens() { return cacheCreationInputTokens; }
    public void setCacheCreationInputTokens(long v) { this.cacheCreationInputTokens = v; }
    public long getCacheReadInputTokens() { return cacheReadInputTokens; }
    public void setCacheReadInputTokens(long v) { this.cacheReadInputTokens = v; }

    @Override
    public boolean equals(Object o) {
        return o instanceof Usage u && inputTokens == u.inputTokens && outputTokens == u.outputTokens
                && cacheCreationInputTokens == u.cacheCreationInputTokens && cacheReadInputTokens == u.cacheReadInputTokens;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(inputTokens, outputTokens, cacheCreationInputTokens, cacheReadInputTokens);
    }
}
