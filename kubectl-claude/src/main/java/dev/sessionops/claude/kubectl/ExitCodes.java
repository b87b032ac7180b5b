package dev.sessionops.claude.kubectl;

/**
 * The exit codes of every command; scripts rely on them. One table for all:
 * <table>
 * <tr><th>code</th><th>meaning</th></tr>
 * <tr><td>0</td><td>done; a command that reports a message's outcome ({@code run --follow}, {@code wait},
 * {@code logs}): it Succeeded (or, {@code logs} without {@code -f}, it has not ended yet)</td></tr>
 * <tr><td>1</td><td>the message Failed or was Cancelled (its condition's reason and message on stderr); also an
 * error the CLI did not foresee (a bug: {@code KUBECTL_CLAUDE_DEBUG=1} prints its stack trace)</td></tr>
 * <tr><td>2</td><td>invalid input: bad arguments (picocli's own code), a bad flag value or prompt, an unreadable
 * kubeconfig or file, a name already taken; nothing was created</td></tr>
 * <tr><td>3</td><td>not found: the session or message does not exist (or was deleted while waiting)</td></tr>
 * <tr><td>4</td><td>the Kubernetes API (or the operator's API behind it) could not be reached or refused the
 * request (connection, TLS, 401/403, 5xx): trying again later, or with other credentials, may work</td></tr>
 * <tr><td>5</td><td>timed out: {@code wait --timeout} ran out before the message ended</td></tr>
 * </table>
 * Why these: a script tells "the work failed" (1) from "my command was wrong" (2, 3) from "try again" (4, 5);
 * 2 is what picocli already returns for bad arguments, so every input error shares it. Each failure prints exactly
 * one line on stderr.
 */
public final class ExitCodes {
    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int USAGE = 2;
    public static final int NOT_FOUND = 3;
    public static final int UNREACHABLE = 4;
    public static final int TIMEOUT = 5;

    /** The table as each command's {@code --help} shows it ("code:text", one line of 72 characters at most each). */
    static final String[] HELP = {
        "0:done; run --follow, wait, logs: the message Succeeded",
        "1:the message Failed or was Cancelled; or an unforeseen error",
        "2:invalid input (arguments, a value, the prompt, a file, a name taken)",
        "3:not found: no such session or message",
        "4:the Kubernetes API unreachable or refused the request",
        "5:timed out (wait --timeout)",
    };

    private ExitCodes() {
    }
}
