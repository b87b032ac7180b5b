package dev.sessionops.claude.api.prompt;

/**
 * A prompt that cannot be run as written. The {@link #reason()} is a CamelCase condition reason the reconciler puts
 * on the message's condition and Event; the message says what to fix.
 */
public class PromptException extends Exception {
    public static final String INVALID_FRONT_MATTER = "InvalidFrontMatter";
    public static final String UNKNOWN_FRONT_MATTER_KEY = "UnknownFrontMatterKey";
    public static final String UNKNOWN_VARIABLE = "UnknownVariable";
    public static final String SESSION_REQUIRED = "SessionRequired";
    public static final String PROMPT_TOO_LARGE = "PromptTooLarge";

    private final String reason;
    private final String variable;

    public PromptException(String reason, String message) {
        this(reason, message, null, null);
    }

    public PromptException(String reason, String message, Throwable cause) {
        this(reason, message, cause, null);
    }

    private PromptException(String reason, String message, Throwable cause, String variable) {
        super(message, cause);
        this.reason = reason;
        this.variable = variable;
    }

    static PromptException tooLarge(int maxBytes) {
        return new PromptException(PROMPT_TOO_LARGE, "the prompt with its variables filled in is larger than " + maxBytes
                + " bytes, the most a run takes: shorten it or its variables", null, null);
    }

    /** {@link #UNKNOWN_VARIABLE}: the placeholder's path, so a client can name its own way to set it. */
    static PromptException unknownVariable(String path) {
        return new PromptException(UNKNOWN_VARIABLE, "prompt uses variable {" + path + "} but no value was given for it"
                + " (set it in spec.variables, or write \\{ to keep a literal brace)", null, path);
    }

    public String reason() {
        return reason;
    }

    /** The unknown variable's path; null for other reasons. */
    public String variable() {
        return variable;
    }
}
