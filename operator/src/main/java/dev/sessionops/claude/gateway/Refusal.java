package dev.sessionops.claude.gateway;

/**
 * The gateway's own answer instead of the model API's: a status, the API's error {@code type} for it, and a message
 * the CLI shows ("API Error: 429 …"). {@code retry} false adds {@code x-should-retry: false}, which the CLI's SDK
 * obeys (measured with 2.1.330: without it a 401 is retried for minutes); only a passing trouble (the API server or
 * Redis unreachable, the upstream down) lets it retry. Messages never contain a token or a key.
 */
public record Refusal(int status, String type, String message, boolean retry) {

    static Refusal badRequest(String message) {
        return new Refusal(400, "invalid_request_error", message, false);
    }

    static Refusal unauthenticated(String message) {
        return new Refusal(401, "authentication_error", message, false);
    }

    static Refusal forbidden(String message) {
        return new Refusal(403, "permission_error", message, false);
    }

    static Refusal notFound(String message) {
        return new Refusal(404, "not_found_error", message, false);
    }

    static Refusal overBudget(String message) {
        return new Refusal(429, "rate_limit_error", message, false);
    }

    static Refusal unavailable(String message) {
        return new Refusal(503, "api_error", message, true);
    }

    /** The error body the Anthropic API sends, so the CLI reads it as one. */
    String body() {
        return "{\"type\":\"error\",\"error\":{\"type\":\"" + type + "\",\"message\":\"" + escape("claude-session-operator gateway: " + message)
                + "\"}}";
    }

    private static String escape(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.toString();
    }
}
