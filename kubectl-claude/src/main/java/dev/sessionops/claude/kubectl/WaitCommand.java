package dev.sessionops.claude.kubectl;

import java.time.Duration;
import java.util.Optional;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.api.v1alpha1.Durations;
import dev.sessionops.claude.api.v1alpha1.MessagePhase;

/** {@code wait}: block until a message has ended; the exit code says how. */
@Command(name = "wait", description = {"Wait until a message has ended.",
        "Exit 0 if it Succeeded, 1 if it Failed or was Cancelled, 5 on timeout."})
final class WaitCommand extends ClaudeSubcommand {
    @Parameters(index = "0", paramLabel = "MESSAGE")
    String message;
    @Option(names = "--timeout", defaultValue = "10m", description = "How long to wait, e.g. 90s, 10m, 1h (default: ${DEFAULT-VALUE}).")
    String timeout;
    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", description = "json or yaml: print the finished message.")
    OutputFormat output;

    @Override
    public Integer call() {
        Duration limit;
        try {
            limit = Duration.ofSeconds(Durations.parseSeconds(timeout));
        } catch (IllegalArgumentException e) {
            throw CliException.usage("--timeout: " + e.getMessage());
        }
        try (Kube kube = connect()) {
            kube.requireMessage(message);
            Optional<ClaudeMessage> done = Messages.awaitTerminal(kube, message, limit);
            if (done.isEmpty()) {
                throw new CliException(ExitCodes.TIMEOUT, "timed out after " + timeout + " waiting for claudemessage "
                        + message, null);
            }
            ClaudeMessage m = done.get();
            if (output != null) {
                output.print(out(), Views.message(m));
            } else if (Messages.phase(m) == MessagePhase.Succeeded) {
                // a failure is said once, on stderr, by the outcome's line
                out().println("claudemessage " + message + " " + Messages.phase(m));
                out().flush();
            }
            return Outcome.report(m, err());
        }
    }
}
