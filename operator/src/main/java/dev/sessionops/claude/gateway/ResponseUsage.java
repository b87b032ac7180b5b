package dev.sessionops.claude.gateway;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The tokens one model API response says it used (its {@code usage}), and the model that answered. A field the
 * response does not carry is -1 until {@link #orZero()}.
 */
public record ResponseUsage(String model, long inputTokens, long outputTokens, long cacheCreationInputTokens,
        long cacheReadInputTokens) {

    public static final ResponseUsage NONE = new ResponseUsage(null, -1, -1, -1, -1);

    /** {@code usage} overlaid on this one: the fields it carries win (a stream's message_delta totals win over its start). */
    public ResponseUsage overlaid(String newModel, JsonNode usage) {
        return new ResponseUsage(newModel != null ? newModel : model,
                field(usage, "input_tokens", inputTokens), field(usage, "output_tokens", outputTokens),
                field(usage, "cache_creation_input_tokens", cacheCreationInputTokens),
                field(usage, "cache_read_input_tokens", cacheReadInputTokens));
    }

    /** Whether the response reported any usage at all (an error or count_tokens does not). */
    public boolean reported() {
        return inputTokens >= 0 || outputTokens >= 0 || cacheCreationInputTokens >= 0 || cacheReadInputTokens >= 0;
    }

    public ResponseUsage orZero() {
        return new ResponseUsage(model, Math.max(0, inputTokens), Math.max(0, outputTokens),
                Math.max(0, cacheCreationInputTokens), Math.max(0, cacheReadInputTokens));
    }

    private static long field(JsonNode usage, String name, long otherwise) {
        JsonNode v = usage == null ? null : usage.get(name);
        return v != null && v.canConvertToLong() && v.asLong() >= 0 ? v.asLong() : otherwise;
    }
}
