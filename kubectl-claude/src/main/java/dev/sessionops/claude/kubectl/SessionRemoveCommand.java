package dev.sessionops.claude.kubectl;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code session remove}: deletes the ClaudeSession; garbage collection takes its messages, Jobs and volume, and the
 * operator's finalizer its Redis history.
 */
@Command(name = "remove", aliases = {"rm", "delete"}, description = "Delete a session with its messages and history.")
final class SessionRemoveCommand extends ClaudeSubcommand {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Override
    public Integer call() {
        try (Kube kube = connect()) {
            kube.requireSession(name);
            kube.sessions().withName(name).delete();
            out().println("claudesession \"" + name + "\" deleted");
            out().flush();
            return ExitCodes.OK;
        }
    }
}
