package dev.sessionops.claude.kubectl;

/**
 * A failure with a message meant for the user: printed as one {@code error: …} line, the command exiting with
 * {@link #exitCode()} (one of {@link ExitCodes}).
 */
public class CliException extends RuntimeException {
    private final int exitCode;

    public CliException(String message) {
        this(ExitCodes.FAILED, message, null);
    }

    public CliException(String message, Throwable cause) {
        this(ExitCodes.FAILED, message, cause);
    }

    public CliException(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    /** Bad arguments or input: nothing was sent to the cluster. */
    static CliException usage(String message) {
        return new CliException(ExitCodes.USAGE, message, null);
    }

    public int exitCode() {
        return exitCode;
    }
}
