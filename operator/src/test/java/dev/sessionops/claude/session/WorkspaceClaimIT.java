package dev.sessionops.claude.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import dev.sessionops.claude.api.runner.Labels;
import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.api.v1alpha1.ClaudeSession;
import dev.sessionops.claude.api.v1alpha1.VolumeClaimWorkspace;
import dev.sessionops.claude.api.v1alpha1.Workspace;
import dev.sessionops.claude.message.MessageProblem;
import dev.sessionops.claude.message.Reasons;
import dev.sessionops.claude.message.RunPlanner;
import dev.sessionops.claude.testing.TestOperatorConfig;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;

/**
 * A session's {@code workspace.volumeClaim} is mounted only when the claim's owner opted it in (a label): a name is
 * not enough, since the pod's fsGroup would re-own another app's data. Until then the message waits, saying why.
 */
@EnableKubernetesMockClient(crud = true)
class WorkspaceClaimIT {
    private static final String NS = "ns";

    KubernetesClient client;

    @Test
    void aWorkspaceClaimIsMountedOnlyOnceItsOwnerOptedIn() throws Exception {
        DispatchFixture fixture = new DispatchFixture(client);
        fixture.secret(NS);
        ClaudeSession session = client.resource(fixture.session(NS, "chat")).edit(s -> {
            s.getSpec().setWorkspace(new Workspace());
            s.getSpec().getWorkspace().setVolumeClaim(new VolumeClaimWorkspace());
            s.getSpec().getWorkspace().getVolumeClaim().setClaimName("team-data");
            return s;
        });
        ClaudeMessage message = fixture.message(NS, "chat-01", "chat", spec -> {
        });
        RunPlanner planner = new RunPlanner(client, TestOperatorConfig.with());

        MessageProblem missing = assertThrows(MessageProblem.class, () -> planner.plan(message, session));
        assertEquals(Reasons.WORKSPACE_CLAIM_NOT_FOUND, missing.reason());
        assertTrue(missing.isWaiting());

        client.persistentVolumeClaims().inNamespace(NS).resource(new PersistentVolumeClaimBuilder()
                .withNewMetadata().withName("team-data").addToLabels("app", "billing").endMetadata()
                .withNewSpec().withAccessModes("ReadWriteOnce").withNewResources().addToRequests("storage", new Quantity("1Gi"))
                .endResources().endSpec().build()).create();
        MessageProblem notOptedIn = assertThrows(MessageProblem.class, () -> planner.plan(message, session));
        assertEquals(Reasons.WORKSPACE_NOT_OPTED_IN, notOptedIn.reason());
        assertTrue(notOptedIn.isWaiting(), "the owner may still label it");
        assertTrue(notOptedIn.getMessage().contains(Labels.WORKSPACE_OPT_IN + "=true"), notOptedIn.getMessage());

        client.persistentVolumeClaims().inNamespace(NS).withName("team-data").edit(c -> {
            c.getMetadata().getLabels().put(Labels.WORKSPACE_OPT_IN, "true");
            return c;
        });
        assertEquals("team-data", planner.plan(message, session).job().volumeClaim().getClaimName());
    }
}
