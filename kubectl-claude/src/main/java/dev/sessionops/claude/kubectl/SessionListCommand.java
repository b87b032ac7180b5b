package dev.sessionops.claude.kubectl;

import java.time.Instant;
import java.util.List;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import dev.sessionops.claude.api.v1alpha1.ClaudeSession;

/** {@code session list}: from the ClaudeSessions themselves (their status mirrors the history's bookkeeping). */
@Command(name = "list", aliases = "ls", description = "List the sessions of the namespace.")
final class SessionListCommand extends ClaudeSubcommand {
    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", description = "json or yaml.")
    OutputFormat output;

    @Override
    public Integer call() {
        try (Kube kube = connect()) {
            List<ClaudeSession> sessions = kube.sessions().list().getItems().stream().sorted(Views.byName()).toList();
            if (output != null) {
                output.print(out(), Views.list(sessions.stream().map(Views::sessionInfo).toList()));
                return ExitCodes.OK;
            }
            if (sessions.isEmpty()) {
                err().println("No sessions found in " + kube.namespace() + " namespace.");
                err().flush();
                return ExitCodes.OK;
            }
            Instant now = root().env().clock().instant();
            Table t = new Table("NAME", "MESSAGES", "SESSION ID", "LAST ACTIVE", "PHASE");
            for (ClaudeSession s : sessions) {
                var st = s.getStatus();
                t.row(s.getMetadata().getName(), st == null ? 0 : st.getMessageCount(),
                        st == null ? null : st.getCurrentSessionId(),
                        st == null ? null : Ages.since(st.getLastActive(), now),
                        st == null || st.getPhase() == null ? null : st.getPhase());
            }
            t.print(out());
            return ExitCodes.OK;
        }
    }
}
