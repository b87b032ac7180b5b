package dev.sessionops.claude.kubectl;

/** The CLI's exit codes; scripts rely on them. */
public final class ExitCodes {
    /** Done; for {@code run --follow}, {@code logs -f} and {@code wait}: the message Succeeded. */
    public static final int OK = 0;
    /** The message Failed or was Cancelled, or the command failed (not found, API error, …). */
    public static final int FAILED = 1;
    /** Bad arguments or input (picocli's code for them too): nothing was created. */
    public static final int USAGE = 2;
    /** {@code wait} ran out of time; also picocli's code for invalid arguments. */
    public static final int TIMEOUT = 2;

    private ExitCodes() {
    }
}
