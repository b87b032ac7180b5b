package dev.sessionops.claude.kubectl;

import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.api.v1alpha1.MessagePhase;
import io.fabric8.kubernetes.api.model.Condition;

/** The one-line status of a message that has not ended, and of the CLI's retry events: pure, for {@link Progress}. */
final class StatusLine {
    /** What to do about a waiting reason (the operator's condition says what is missing, not always how to fix it). */
    private static final Map<String, String> HINTS = Map.of(
            "SessionNotFound", "create the session (kubectl claude run --new-session NAME) or cancel this message",
            "CredentialsMissing", "create the Secret with ANTHROPIC_API_KEY or CLAUDE_CODE_OAUTH_TOKEN, or name one"
                    + " with run --new-session NAME --secret SECRET",
            "SessionSuspended", "resume the session (spec.suspend: false)",
            "ConfigMapNotFound", "create the ConfigMap",
            "ConfigMapKeyNotFound", "add the key to the ConfigMap");

    private StatusLine() {
    }

    /**
     * @param ahead      messages of the same session still to run before this one (for a Queued message)
     * @param podRunning the message's pod is running (for a Running message)
     * @return the line, or null when there is nothing to say (ended)
     */
    static String of(ClaudeMessage m, int ahead, boolean podRunning) {
        MessagePhase phase = Messages.phase(m);
        Condition c = Messages.succeeded(m).orElse(null);
        String reason = c == null ? null : c.getReason();
        String text = c == null || c.getMessage() == null ? "" : c.getMessage();
        if (phase == null) {
            return "created; waiting for the operator to take it";
        }
        return switch (phase) {
            case Pending -> "waiting" + (reason == null ? "" : " (" + reason + ")") + (text.isEmpty() ? "" : ": " + text)
                    + (HINTS.containsKey(reason) ? "; " + HINTS.get(reason) : "");
            case Queued -> "Queued".equals(reason) || reason == null ? queued(m, ahead)
                    : "queued (" + reason + ")" + (text.isEmpty() ? "" : ": " + text)
                            + (HINTS.containsKey(reason) ? "; " + HINTS.get(reason) : "");
            case Running -> "Cancelling".equals(reason) ? "cancelling" : podRunning ? Progress.RUNNING : Progress.POD_STARTING;
            default -> null;
        };
    }

    private static String queued(ClaudeMessage m, int ahead) {
        String session = m.getSpec() == null || m.getSpec().getSessionRef() == null ? "its session"
                : "session " + m.getSpec().getSessionRef().getName();
        return ahead <= 0 ? "queued: next in " + session
                : "queued behind " + ahead + " message" + (ahead == 1 ? "" : "s") + " of " + session;
    }

    /**
     * The CLI's own retry event ({@code {"type":"system","subtype":"api_retry","attempt":1,"max_retries":10,
     * "error_status":529,"error":"overloaded_error",…}}) as a line; null for any other event.
     */
    static String retry(JsonNode event) {
        if (event == null || !"system".equals(event.path("type").asText()) || !"api_retry".equals(event.path("subtype").asText())) {
            return null;
        }
        JsonNode status = event.path("error_status");
        String error = event.path("error").asText("");
        String why = (status.isNumber() ? "HTTP " + status.asInt() + (error.isEmpty() ? "" : " ") : "") + error;
        JsonNode max = event.path("max_retries");
        return "retrying the model API (attempt " + event.path("attempt").asInt() + (max.isNumber() ? " of " + max.asInt() : "")
                + ")" + (why.isEmpty() ? "" : ": " + why);
    }
}
