package dev.sessionops.claude.cli;

/** Token counts as the CLI's {@code result} event reports them for one run. */
public record TokenUsage(long inputTokens, long outputTokens, long cacheCreationInputTokens,
        long cacheReadInputTokens) {

    public static final TokenUsage ZERO = new TokenUsage(0, 0, 0, 0);

    public TokenUsage plus(TokenUsage other) {
        return new TokenUsage(inputTokens + other.inputTokens, outputTokens + other.outputTokens,
                cacheCreationInputTokens + other.cacheCreationInputTokens,
                cacheReadInputTokens + other.cacheReadInputTokens);
    }
}
