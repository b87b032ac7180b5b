package dev.sessionops.claude.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class NamespaceGuardTest {
    @Test
    void kubernetesOwnAndTheOperatorsNamespacesAreRefusedUnlessListed() {
        NamespaceGuard everywhere = NamespaceGuard.of(Optional.of("claude-session-operator"), List.of());
        for (String ns : List.of("kube-system", "kube-public", "kube-node-lease", "claude-session-operator")) {
            assertTrue(everywhere.refusal(ns).isPresent(), ns);
        }
        assertTrue(everywhere.refusal("kube-system").orElseThrow().contains("Kubernetes' own"));
        assertTrue(everywhere.refusal("claude-session-operator").orElseThrow().contains("the operator's own"));
        assertEquals(Optional.empty(), everywhere.refusal("team-a"));

        NamespaceGuard listed = NamespaceGuard.of(Optional.of("cso"), List.of("team-a", "kube-system", "cso"));
        assertEquals(Optional.empty(), listed.refusal("kube-system"), "named by the install: allowed");
        assertEquals(Optional.empty(), listed.refusal("cso"));
        assertTrue(listed.refusal("kube-public").isPresent());
        assertTrue(NamespaceGuard.of(Optional.empty(), List.of()).refusal("kube-node-lease").isPresent());
    }
}
