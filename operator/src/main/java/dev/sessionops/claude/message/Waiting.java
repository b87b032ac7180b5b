package dev.sessionops.claude.message;

import java.time.Instant;
import java.time.format.DateTimeParseException;

import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.kube.Conditions;

/** Since when a message has waited: {@code status.waitingSince} while its condition keeps the same reason. */
public final class Waiting {
    private Waiting() {
    }

    /** Its recorded start if the message already waited for {@code reason}, else now (a new wait). */
    public static Instant since(ClaudeMessage message, String reason) {
        var status = message.getStatus();
        boolean same = status != null && status.getWaitingSince() != null
                && Conditions.find(status.getConditions(), ClaudeMessageReconciler.SUCCEEDED)
                        .map(c -> reason.equals(c.getReason())).orElse(false);
        try {
            return same ? Instant.parse(status.getWaitingSince()) : Instant.now();
        } catch (DateTimeParseException e) {
            return Instant.now(); // written by hand: start counting again rather than fail
        }
    }
}
