package dev.sessionops.claude.message;

import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.eclipse.microprofile.config.ConfigProvider;

import dev.sessionops.claude.OperatorConfig;

/**
 * Where the operator never runs a Job unless the install names the namespace among those it watches: Kubernetes'
 * own ({@code kube-system}, {@code kube-public}, {@code kube-node-lease}) and the operator's (its Lease's, where its
 * credentials and Redis live). Watching every namespace must not let whoever may create a ClaudeSession there run
 * pods beside the cluster's controllers or the operator itself.
 */
public record NamespaceGuard(Set<String> refused) {
    static final Set<String> KUBERNETES = Set.of("kube-system", "kube-public", "kube-node-lease");

    public NamespaceGuard {
        refused = Set.copyOf(refused);
    }

    /** @param watched the namespaces the install lists (empty: every namespace) */
    public static NamespaceGuard of(Optional<String> operatorNamespace, List<String> watched) {
        Set<String> refused = new HashSet<>(KUBERNETES);
        operatorNamespace.ifPresent(refused::add);
        refused.removeAll(watched);
        return new NamespaceGuard(refused);
    }

    /** From the operator's settings: its Lease's namespace, and the SDK's namespaces list. */
    public static NamespaceGuard of(OperatorConfig config) {
        List<String> watched = ConfigProvider.getConfig().getOptionalValues("quarkus.operator-sdk.namespaces", String.class)
                .orElse(List.of());
        return of(config.leaderElection().leaseNamespace(), watched);
    }

    /** Why nothing runs in {@code namespace}; empty when it may. */
    public Optional<String> refusal(String namespace) {
        if (!refused.contains(namespace)) {
            return Optional.empty();
        }
        return Optional.of("the operator runs no Job in namespace " + namespace + " (" + (KUBERNETES.contains(namespace)
                ? "Kubernetes' own" : "the operator's own") + "): list it in the install's watchNamespaces to allow it");
    }
}
