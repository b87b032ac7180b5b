package dev.sessionops.claude.kubectl;

import picocli.CommandLine.Command;

/** {@code session}: the ClaudeSessions of the namespace. */
@Command(name = "session", description = "List, show, read, export, reset and remove ClaudeSessions.",
        subcommands = {SessionListCommand.class, SessionShowCommand.class, SessionHistoryCommand.class,
                SessionRemoveCommand.class, SessionExportCommand.class, SessionResetCommand.class})
final class SessionCommand extends ClaudeSubcommand {
    @Override
    public Integer call() {
        spec.commandLine().usage(out());
        return ExitCodes.OK;
    }
}
