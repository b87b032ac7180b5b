package dev.sessionops.claude.kubectl;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;

/** {@code logs}: a message's run as text: the assistant's replies, its tool calls, the result. */
@Command(name = "logs", description = {"Print a message's events: assistant text, tool calls, result.",
        "With -f, follow a running message until it ends. Once it has ended, exit 1 if it failed."})
final class LogsCommand extends ClaudeSubcommand {
    @Parameters(index = "0", paramLabel = "MESSAGE")
    String message;
    @Option(names = {"-f", "--follow"}, description = "Follow the events until the message ends.")
    boolean follow;
    @Option(names = "--raw", description = "Print the stream-json events as they are, one JSON object a line.")
    boolean raw;
    @Option(names = {"-q", "--quiet"}, description = "No progress lines (queued, waiting, running, retrying …) on stderr.")
    boolean quiet;

    @Override
    public Integer call() {
        try (Kube kube = connect()) {
            ClaudeMessage found = kube.requireMessage(message);
            if (follow) {
                // an ended message has no progress to tell, only its events
                boolean silent = quiet || raw || Messages.isTerminal(found);
                return Follow.untilDone(kube, message, out(), err(), raw, silent ? Progress.SILENT : new Progress(err()));
            }
            EventPrinter printer = new EventPrinter(out(), raw);
            new MessageFollower(kube, printer, err()).follow(message, false);
            ClaudeMessage m = kube.requireMessage(message);
            if (!raw) {
                Follow.showResultIfUnseen(m, printer, out());
            }
            if (!Messages.isTerminal(m)) {
                // nothing to show may mean it waits (a missing session, credentials): say where it is
                if (!raw && !quiet) {
                    err().println(StatusPoller.now(kube, m));
                    err().flush();
                }
                return ExitCodes.OK;
            }
            // the same as run --follow and wait: an ended message's outcome is the exit code
            return Outcome.report(m, err());
        }
    }
}
