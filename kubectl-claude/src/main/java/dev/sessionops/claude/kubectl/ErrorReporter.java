package dev.sessionops.claude.kubectl;

import java.util.function.Supplier;

import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * Turns a failed command into one {@code error: …} line on stderr and its {@link ExitCodes} code, like kubectl; a
 * stack trace helps nobody who typed a wrong name, so it comes only with {@code KUBECTL_CLAUDE_DEBUG=1}. The
 * messages carry no credentials: Fabric8's name the request, never its headers.
 */
final class ErrorReporter implements IExecutionExceptionHandler, IParameterExceptionHandler {
    /** Set to print the stack trace too, for bug reports. */
    static final String DEBUG_ENV = "KUBECTL_CLAUDE_DEBUG";
    private final boolean debug;
    private final Supplier<String> server;

    /** @param server the Kubernetes API the command talks to, once known (for "cannot reach …") */
    ErrorReporter(boolean debug, Supplier<String> server) {
        this.debug = debug;
        this.server = server;
    }

    @Override
    public int handleExecutionException(Exception e, CommandLine cmd, ParseResult parsed) {
        Failure f = Failure.of(e, server.get());
        if (debug) {
            e.printStackTrace(cmd.getErr());
        }
        cmd.getErr().println("error: " + f.message());
        cmd.getErr().flush();
        return f.exitCode();
    }

    /** Bad arguments: picocli's message and where the usage is, on one line (not the whole usage text). */
    @Override
    public int handleParseException(ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        cmd.getErr().println("error: " + e.getMessage() + " (see '" + cmd.getCommandSpec().qualifiedName() + " --help')");
        cmd.getErr().flush();
        return ExitCodes.USAGE;
    }
}
