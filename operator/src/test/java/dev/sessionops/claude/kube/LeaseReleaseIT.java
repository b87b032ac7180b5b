package dev.sessionops.claude.kube;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;

/** On shutdown a replica hands back the Lease it holds, and only that one: a standby takes it on its next retry. */
@EnableKubernetesMockClient(crud = true)
class LeaseReleaseIT {
    KubernetesClient client;

    @Test
    void theHolderReleasesItsLease() {
        lease("me");
        LeaderElection.release(client, "ops", "claude-session-operator", "me");
        Lease released = client.leases().inNamespace("ops").withName("claude-session-operator").get();
        assertNull(released.getSpec().getHolderIdentity());
        assertEquals(1, released.getSpec().getLeaseDurationSeconds());
    }

    @Test
    void aLeaseSomeoneElseTookIsLeftAlone() {
        lease("the-new-leader");
        LeaderElection.release(client, "ops", "claude-session-operator", "me");
        Lease kept = client.leases().inNamespace("ops").withName("claude-session-operator").get();
        assertEquals("the-new-leader", kept.getSpec().getHolderIdentity());
        assertEquals(15, kept.getSpec().getLeaseDurationSeconds());
    }

    @Test
    void noLeaseIsNoError() {
        LeaderElection.release(client, "ops", "claude-session-operator", "me");
        assertNull(client.leases().inNamespace("ops").withName("claude-session-operator").get());
    }

    private void lease(String holder) {
        client.resource(new LeaseBuilder().withNewMetadata().withName("claude-session-operator").withNamespace("ops").endMetadata()
                .withNewSpec().withHolderIdentity(holder).withLeaseDurationSeconds(15).endSpec().build()).create();
    }
}
