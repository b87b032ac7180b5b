package dev.sessionops.claude.message;

/**
 * A prompt that cannot be run as written. The {@link #reason()} is a CamelCase condition reason the reconciler puts
 * on the message's condition and Event; the message says what to fix.
 */
public class PromptException extends Exception {
    public static final String INVALID_FRONT_MATTER = "InvalidFrontMatter";
    public static final String UNKNOWN_FRONT_MATTER_KEY = "UnknownFrontMatterKey";
    public static final String UNKNOWN_VARIABLE = "UnknownVariable";
    public static final String SESSION_REQUIRED = "SessionRequired";

    private final String reason;

    public PromptException(String reason, String message) {
        super(message);
        this.reason = reason;
    }

    public PromptException(String reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }
}
