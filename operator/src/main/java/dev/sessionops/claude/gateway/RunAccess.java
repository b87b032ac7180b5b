package dev.sessionops.claude.gateway;

/**
 * What one run gets to reach the model API through the gateway: its base URL (the gateway, with the path naming its
 * message) and its token, as {@code ANTHROPIC_BASE_URL} and {@code ANTHROPIC_API_KEY}.
 */
public record RunAccess(String baseUrl, String token) {
    public static final String BASE_URL_ENV = "ANTHROPIC_BASE_URL";
    public static final String TOKEN_ENV = "ANTHROPIC_API_KEY";

    @Override
    public String toString() {
        return "RunAccess[" + baseUrl + "]"; // never the token
    }
}
