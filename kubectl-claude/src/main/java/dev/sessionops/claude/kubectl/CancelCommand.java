package dev.sessionops.claude.kubectl;

import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code cancel NAME}: sets the message's {@code spec.cancel}; the operator does the rest (a message that has not
 * started ends Cancelled, a running one has its Job stopped). A JSON patch of that one field: nothing else of the
 * spec is sent back, so a concurrent edit is not undone.
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
            String patch = Serialization.asJson(List.of(Map.of("op", "add", "path", "/spec/cancel", "value", true)));
            kube.messages().withName(name).patch(PatchContext.of(PatchType.JSON), patch);
            out().println("claudemessage \"" + name + "\" cancel requested");
            out().flush();
            return ExitCodes.OK;
        }
    }
}
