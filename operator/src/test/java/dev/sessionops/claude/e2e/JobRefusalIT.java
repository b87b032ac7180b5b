package dev.sessionops.claude.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.sessionops.claude.api.runner.JobNames;
import dev.sessionops.claude.api.runner.Labels;
import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.api.v1alpha1.MessagePhase;
import dev.sessionops.claude.message.Reasons;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
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

    /**
     * Someone who may create Jobs in the namespace took the name of the head's run (it follows from the message's name
     * and UID) with a Job of their own that names the message as an owner, but not as its controller: the 409 is not
     * taken for an earlier attempt of the run. The head fails JobConflict, nothing of that Job is followed, recorded
     * or deleted, and the queue moves on.
     */
    @Test
    void aJobSquattingOnTheHeadsNameIsNeverTakenForItsRun() {
        String ns = Harness.namespace(client, "squat");
        Harness.session(client, ns, "chat", s -> s.setSuspend(true));
        ClaudeMessage head = Harness.message(client, ns, "chat-01", "chat", "Mine");
        Harness.message(client, ns, "chat-02", "chat", "Runs after it");
        String name = JobNames.forMessage("chat-01", head.getMetadata().getUid());
        client.batch().v1().jobs().inNamespace(ns).resource(new JobBuilder()
                .withNewMetadata().withName(name).withNamespace(ns)
                    .addToLabels(Labels.MANAGED_BY, Labels.OPERATOR)
                    .addNewOwnerReference().withApiVersion(head.getApiVersion()).withKind(head.getKind())
                        .withName("chat-01").withUid(head.getMetadata().getUid()).withController(false).endOwnerReference()
                .endMetadata()
                .withNewSpec().withNewTemplate().withNewSpec().addNewContainer().withName("x").withImage("squatter")
                    .endContainer().withRestartPolicy("Never").endSpec().endTemplate().endSpec()
                .build()).create();
        Harness.suspend(client, ns, "chat", false);

        ClaudeMessage refused = Harness.awaitPhase(client, ns, "chat-01", MessagePhase.Failed);
        assertEquals(Reasons.JOB_CONFLICT, Harness.reason(refused));
        assertTrue(Harness.conditionMessage(refused).contains("Job " + name + " exists but is not this message's run"),
                Harness.conditionMessage(refused));
        Harness.awaitPhase(client, ns, "chat-02", MessagePhase.Succeeded);
        Job squatter = client.batch().v1().jobs().inNamespace(ns).withName(name).get();
        assertEquals("squatter", squatter.getSpec().getTemplate().getSpec().getContainers().get(0).getImage(),
                "left as it was: not the operator's to change or delete");
        assertEquals(List.of("Runs after it"), history.history(Harness.conversation(client, ns, "chat"), 0, -1).stream()
                .filter(e -> "user".equals(e.role())).map(e -> e.content()).toList(), "nothing of chat-01 recorded");
    }

    /** The API server's answer to the namespace's next Job create (the mock tier creates Jobs by POST). */
    private void refuseTheNextJob(String ns, int code, String reason, String message) {
        server.expect().post().withPath("/apis/batch/v1/namespaces/" + ns + "/jobs")
                .andReturn(code, Map.of("kind", "Status", "apiVersion", "v1", "status", "Failure", "code", code,
                        "reason", reason, "message", message))
                .once();
    }
}
