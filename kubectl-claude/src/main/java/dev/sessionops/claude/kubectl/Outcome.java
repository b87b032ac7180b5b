package dev.sessionops.claude.kubectl;

import java.io.PrintWriter;

import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.api.v1alpha1.MessagePhase;
import io.fabric8.kubernetes.api.model.Condition;

/** A finished message as an exit code, with the condition's reason and message on stderr when it did not succeed. */
final class Outcome {
    private Outcome() {
    }

    static int report(ClaudeMessage m, PrintWriter err) {
        if (Messages.phase(m) == MessagePhase.Succeeded) {
            return ExitCodes.OK;
        }
        Condition c = Messages.succeeded(m).orElse(null);
        String reason = c == null || c.getReason() == null ? "" : " (" + c.getReason() + ")";
        String message = c == null || c.getMessage() == null ? "" : ": " + c.getMessage();
        err.println("claudemessage " + m.getMetadata().getName() + " " + Messages.phase(m) + reason + message);
        err.flush();
        return ExitCodes.FAILED;
    }
}
