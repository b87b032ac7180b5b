package dev.sessionops.claude.kubectl;

import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * Turns a failed command into one {@code error: …} line and exit code 1, like kubectl; a stack trace helps nobody
 * who typed a wrong name. The messages carry no credentials: Fabric8's name the request, never its headers.
 */
final class ErrorReporter implements IExecutionExceptionHandler {
    /** Set to print the stack trace too, for bug reports. */
    static final String DEBUG_ENV = "KUBECTL_CLAUDE_DEBUG";
    private final boolean debug;

    ErrorReporter(boolean debug) {
        this.debug = debug;
    }

    @Override
    public int handleExecutionException(Exception e, CommandLine cmd, ParseResult parsed) {
        if (debug && !(e instanceof CliException)) {
            e.printStackTrace(cmd.getErr());
        }
        cmd.getErr().println("error: " + describe(e));
        cmd.getErr().flush();
        return e instanceof CliException c ? c.exitCode() : ExitCodes.FAILED;
    }

    static String describe(Throwable e) {
        if (e instanceof KubernetesClientException k) {
            if (k.getStatus() != null && k.getStatus().getMessage() != null) {
                return k.getStatus().getMessage();
            }
            Throwable cause = k.getCause();
            if (cause != null && cause.getMessage() != null) {
                return k.getMessage() + ": " + cause.getMessage();
            }
        }
        return e.getMessage() != null ? e.getMessage() : e.toString();
    }
}
