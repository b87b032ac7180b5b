package dev.sessionops.claude.kubectl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.api.v1alpha1.ClaudeMessageSpec;
import dev.sessionops.claude.api.v1alpha1.ClaudeMessageStatus;
import dev.sessionops.claude.api.v1alpha1.MessagePhase;
import dev.sessionops.claude.api.v1alpha1.NameRef;
import io.fabric8.kubernetes.api.model.ConditionBuilder;

class StatusLineTest {
    /** Measured: what claude 2.1.330 prints with stream-json while the model API's port is closed. */
    static final String RETRY = "{\"type\":\"system\",\"subtype\":\"api_retry\",\"attempt\":1,\"max_retries\":10,"
            + "\"retry_delay_ms\":577,\"error_status\":null,\"error\":\"unknown\",\"session_id\":\"s\",\"uuid\":\"u\"}";

    private static ClaudeMessage message(MessagePhase phase, String reason, String text) {
        ClaudeMessage m = new ClaudeMessage();
        m.setSpec(new ClaudeMessageSpec());
        m.getSpec().setSessionRef(new NameRef("chat"));
        if (phase != null) {
            m.setStatus(new ClaudeMessageStatus());
            m.getStatus().setPhase(phase);
            m.getStatus().setConditions(List.of(new ConditionBuilder().withType("Succeeded").withStatus("Unknown")
                    .withReason(reason).withMessage(text).build()));
        }
        return m;
    }

    @Test
    void eachStateOfAMessageThatHasNotEnded() {
        assertEquals("created; waiting for the operator to take it", StatusLine.of(message(null, null, null), 0, false));
        assertEquals("queued behind 2 messages of session chat", StatusLine.of(message(MessagePhase.Queued, "Queued",
                "session chat starts it when the messages before it have finished"), 2, false));
        assertEquals("queued behind 1 message of session chat", StatusLine.of(message(MessagePhase.Queued, "Queued", ""), 1, false));
        assertEquals("queued: next in session chat", StatusLine.of(message(MessagePhase.Queued, "Queued", ""), 0, false));
        assertEquals("waiting (SessionNotFound): waiting for ClaudeSession chat; create the session (kubectl claude run"
                + " --new-session NAME) or cancel this message", StatusLine.of(message(MessagePhase.Pending,
                        "SessionNotFound", "waiting for ClaudeSession chat"), 0, false));
        assertEquals("waiting (CredentialsMissing): credentials Secret anthropic not found; create the Secret with"
                + " ANTHROPIC_API_KEY or CLAUDE_CODE_OAUTH_TOKEN, or name one with run --new-session NAME --secret SECRET",
                StatusLine.of(message(MessagePhase.Pending, "CredentialsMissing", "credentials Secret anthropic not found"),
                        0, false));
        assertEquals("pod starting", StatusLine.of(message(MessagePhase.Running, "JobCreated", "running as Job j"), 0, false));
        assertEquals("running", StatusLine.of(message(MessagePhase.Running, "JobCreated", "running as Job j"), 0, true));
        assertNull(StatusLine.of(message(MessagePhase.Succeeded, "Succeeded", ""), 0, true));
    }

    @Test
    void theClisRetryEvents() throws Exception {
        ObjectMapper json = new ObjectMapper();
        assertEquals("retrying the model API (attempt 1 of 10): unknown", StatusLine.retry(json.readTree(RETRY)));
        assertEquals("retrying the model API (attempt 3 of 10): HTTP 529 overloaded_error", StatusLine.retry(json.readTree(
                RETRY.replace("\"attempt\":1", "\"attempt\":3").replace("null", "529").replace("unknown", "overloaded_error"))));
        assertNull(StatusLine.retry(json.readTree(EventPrinterTest.INIT)));
    }

    @Test
    void retryLinesGoToStderrAndEachProgressLineOnce() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Progress progress = new Progress(new PrintWriter(err, true));
        EventPrinter printer = new EventPrinter(new PrintWriter(out, true), false, progress);
        progress.status("queued: next in session chat");
        progress.status("queued: next in session chat");
        progress.status("pod starting");
        printer.accept("system", RETRY); // the first event: running
        progress.status("pod starting"); // a poller that looked before the event: not back
        progress.status("running");
        printer.accept("system", RETRY.replace("\"attempt\":1", "\"attempt\":2"));
        printer.accept(null, EventPrinterTest.TEXT);
        progress.end();
        progress.status("cancelling"); // a poller's late line, after the outcome
        assertEquals("Done: wrote notes.txt\n", out.toString());
        assertEquals("queued: next in session chat\npod starting\nrunning\nretrying the model API (attempt 1 of 10): unknown\n"
                + "retrying the model API (attempt 2 of 10): unknown\n", err.toString());
    }
}
