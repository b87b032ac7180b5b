package dev.sessionops.claude.kubectl;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code cancel NAME}: sets the message's {@code spec.cancel}; the operator does the rest (a message that has not
 * started ends Cancelled, a running one is stopped gracefully).
 */
@Command(name = "cancel", description = {"Cancel a message: one that has not started never runs, a running one is stopped.",
        "Its session goes on with the next message."})
final class CancelCommand extends ClaudeSubcommand {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Override
    public Integer call() {
        try (Kube kube = connect()) {
            var message = kube.requireMessage(name);
            if (message.getStatus() != null && message.getStatus().getPhase() != null
                    && message.getStatus().getPhase().isTerminal()) {
                out().println("claudemessage \"" + name + "\" already ended " + message.getStatus().getPhase());
                out().flush();
                return ExitCodes.OK;
            }
            Kube.setSpecField(kube.messages().withName(name), "cancel", true);
            out().println("claudemessage \"" + name + "\" cancel requested");
            out().flush();
            return ExitCodes.OK;
        }
    }
}
