package dev.sessionops.claude.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.api.v1alpha1.MessagePhase;
import dev.sessionops.claude.message.Reasons;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A Job the API server refuses for good (an admission webhook's denial, an object too large) ends its message
 * Failed/JobRejected with the API server's words, instead of an error retried forever, and the session's next
 * message runs.
 */
@QuarkusTest
class JobRefusalIT extends EndToEndTest {

    @Test
    void aWebhookDenialFailsTheHeadAndTheQueueMovesOn() {
        String ns = Harness.namespace(client, "denied");
        refuseTheNextJob(ns, 400, "BadRequest",
                "admission webhook \"policy.example.com\" denied the request: images must come from registry.example");
        Harness.session(client, ns, "chat", s -> {
        });
        Harness.message(client, ns, "chat-01", "chat", "Refused by policy");
        Harness.message(client, ns, "chat-02", "chat", "Runs after it");

        ClaudeMessage refused = Harness.awaitPhase(client, ns, "chat-01", MessagePhase.Failed);
        assertEquals(Reasons.JOB_REJECTED, Harness.reason(refused));
        assertTrue(Harness.conditionMessage(refused).contains("images must come from registry.example"),
                Harness.conditionMessage(refused));
        await().atMost(Duration.ofSeconds(10)).until(() -> Harness.events(client, ns, "chat-01").stream()
                .anyMatch(e -> Reasons.JOB_REJECTED.equals(e.getReason()) && "Warning".equals(e.getType())));
        Harness.awaitPhase(client, ns, "chat-02", MessagePhase.Succeeded);
        assertEquals(1, Harness.jobs(client, ns).size(), "only the second message's Job");
    }

    @Test
    void aOneShotMessageWhoseJobIsTooLargeFails() {
        String ns = Harness.namespace(client, "large");
        refuseTheNextJob(ns, 413, "RequestEntityTooLarge", "Request entity too large: limit is 3145728");
        Harness.message(client, ns, "solo", null, "Too much");

        ClaudeMessage refused = Harness.awaitPhase(client, ns, "solo", MessagePhase.Failed);
        assertEquals(Reasons.JOB_REJECTED, Harness.reason(refused));
        assertTrue(Harness.conditionMessage(refused).contains("(413)"), Harness.conditionMessage(refused));
        assertEquals(0, Harness.jobs(client, ns).size());
    }

    /**
     * The prompt's ConfigMap comes first: refused by a webhook, the head fails as for a refused Job, naming the
     * ConfigMap, no Job is made, and the queue moves on.
     */
    @Test
    void aRefusedPromptConfigMapFailsTheHeadWithoutAJob() {
        String ns = Harness.namespace(client, "cmdenied");
        server.expect().post().withPath("/api/v1/namespaces/" + ns + "/configmaps")
                .andReturn(403, Map.of("kind", "Status", "apiVersion", "v1", "status", "Failure", "code", 403,
                        "reason", "Forbidden", "message", "admission webhook \"cm.example.com\" denied the request: no"))
                .once();
        Harness.session(client, ns, "chat", s -> {
        });
        Harness.message(client, ns, "chat-01", "chat", "Refused ConfigMap");
        Harness.message(client, ns, "chat-02", "chat", "Runs after it");

        ClaudeMessage refused = Harness.awaitPhase(client, ns, "chat-01", MessagePhase.Failed);
        assertEquals(Reasons.JOB_REJECTED, Harness.reason(refused));
        assertTrue(Harness.conditionMessage(refused).contains("refused the prompt's ConfigMap (403)"),
                Harness.conditionMessage(refused));
        Harness.awaitPhase(client, ns, "chat-02", MessagePhase.Succeeded);
        assertEquals(1, Harness.jobs(client, ns).size(), "only the second message's Job");
    }

    /** The API server's answer to the namespace's next Job create (the mock tier creates Jobs by POST). */
    private void refuseTheNextJob(String ns, int code, String reason, String message) {
        server.expect().post().withPath("/apis/batch/v1/namespaces/" + ns + "/jobs")
                .andReturn(code, Map.of("kind", "Status", "apiVersion", "v1", "status", "Failure", "code", code,
                        "reason", reason, "message", message))
                .once();
    }
}
