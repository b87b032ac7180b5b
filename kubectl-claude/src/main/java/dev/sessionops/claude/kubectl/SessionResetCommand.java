package dev.sessionops.claude.kubectl;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
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
            String patch = Serialization.asJson(List.of(Map.of("op", "add", "path", "/spec/resetConversation", "value", token)));
            kube.sessions().withName(name).patch(PatchContext.of(PatchType.JSON), patch);
            out().println("claudesession \"" + name + "\" reset requested: the next message starts a new conversation");
            out().flush();
            return ExitCodes.OK;
        }
    }
}
