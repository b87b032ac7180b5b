package dev.sessionops.claude.kubectl;

/** A failure with a message meant for the user (printed as {@code error: …}, exit code 1). */
public class CliException extends RuntimeException {
    public CliException(String message) {
        super(message);
    }

    public CliException(String message, Throwable cause) {
        super(message, cause);
    }
}
