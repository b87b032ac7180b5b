package dev.sessionops.claude.kubectl;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code session reset NAME}: sets the session's {@code spec.resetConversation} to the time now, a value the status has
 * not acknowledged; the operator starts the next message in a new Claude session (after ConversationStateLost, say).
 */
@Command(name = "reset", description = {"Start a new conversation in a session: the next message does not resume the last one.",
        "For a session whose state volume was lost (ConversationStateLost); its history stays."})
final class SessionResetCommand extends ClaudeSubcommand {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Override
    public Integer call() {
        try (Kube kube = connect()) {
            kube.requireSession(name);
            String token = Instant.now().truncatedTo(ChronoUnit.MILLIS).toString();
            Kube.setSpecField(kube.sessions().withName(name), "resetConversation", token);
            out().println("claudesession \"" + name + "\" reset requested: the next message starts a new conversation");
            out().flush();
            return ExitCodes.OK;
        }
    }
}
