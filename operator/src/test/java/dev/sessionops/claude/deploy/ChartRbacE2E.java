package dev.sessionops.claude.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.sessionops.claude.deploy.RbacGrants.Grant;
import dev.sessionops.claude.deploy.RbacGrants.UnknownRole;

/**
 * The chart grants exactly what the operator SDK derives from the reconcilers (their primary resources and
 * their @RBACRule annotations) into target/kubernetes/kubernetes.yml, which the real-API-server tier proves
 * sufficient by running the packaged operator with it. Two deliberate differences: the leader-election Lease grants,
 * which the SDK can only generate into its ClusterRoles, are a Role in the release namespace, where the Lease is; and
 * the chart alone binds the built-in Role extension-apiserver-authentication-reader in kube-system (the read API
 * reads the kube-apiserver's front-proxy CA there; the SDK generates nothing outside ClusterRoles); and the credential
 * gateway's Secrets, by name, in the release namespace.
 * In namespaced mode the reconcilers' grants move into each watched namespace, and only reading the
 * (cluster-scoped) CRDs stays cluster-wide.
 *
 * <p>Failsafe, after {@code package}: the build writes target/kubernetes/ only then.
 */
class ChartRbacE2E {
    static final Path GENERATED = Path.of("target", "kubernetes", "kubernetes.yml");
    static final String NS = HelmChart.NAMESPACE;
    /** Resources the SDK may grant that exist outside namespaces: a Role cannot grant them. */
    static final Set<String> CLUSTER_SCOPED = Set.of("apiextensions.k8s.io/customresourcedefinitions", "/namespaces",
            "/nodes", "/persistentvolumes", "storage.k8s.io/storageclasses", "authentication.k8s.io/tokenreviews",
            "authorization.k8s.io/subjectaccessreviews");
    static final String LEASES = "coordination.k8s.io/leases";
    /** Chart-only: reading ConfigMap kube-system/extension-apiserver-authentication, whatever the RBAC scope. */
    static final Set<Grant> AUTH_CONFIG = Set.of("get", "list", "watch").stream().map(verb -> new Grant("kube-system", "",
            "configmaps", verb, List.of("extension-apiserver-authentication"))).collect(Collectors.toSet());

    /**
     * Chart-only: the credential gateway reads its signing key (and the registered model API keys, none by default)
     * by name in the release namespace; the SDK generates nothing for Secrets outside the reconcilers' namespaces.
     */
    static final Set<Grant> GATEWAY = Set.of(new Grant(NS, "", "secrets", "get", List.of(HelmChart.RELEASE + "-gateway")));

    /** The generated grants but the Lease's. */
    static Set<Grant> generated;
    /** The generated Lease grants, moved to the release namespace. */
    static Set<Grant> lease;

    @BeforeAll
    static void readGenerated() throws Exception {
        assertTrue(Files.exists(GENERATED), GENERATED + " is written by the Quarkus build: run this after ./mvnw package");
        List<UnknownRole> unknown = new ArrayList<>();
        Set<Grant> all = RbacGrants.of(HelmChart.parse(Files.readString(GENERATED)), NS, "claude-session-operator", unknown);
        generated = all.stream().filter(g -> !g.groupResource().equals(LEASES)).collect(Collectors.toSet());
        lease = all.stream().filter(g -> g.groupResource().equals(LEASES)).map(g -> g.in(NS)).collect(Collectors.toSet());
        assertFalse(lease.isEmpty(), "the reconcilers ask for the leader-election Lease");
        // quarkus-kubernetes-client binds the built-in "view" ClusterRole in the operator's own namespace by default
        // (quarkus.kubernetes-client.generate-rbac); the reconcilers read nothing there, so the chart leaves it out.
        assertEquals(List.of("view"), unknown.stream().map(u -> u.role().getName()).toList(), unknown.toString());
        assertTrue(all.stream().allMatch(g -> g.where().equals(RbacGrants.CLUSTER)), "the SDK generates ClusterRoles");
        assertTrue(generated.stream().anyMatch(g -> g.groupResource().equals("batch/jobs") && g.verb().equals("create")),
                "the generated RBAC names what the reconcilers call: " + generated);
        assertTrue(all.stream().noneMatch(g -> g.groupResource().equals("/secrets")),
                "the reconcilers read no Secret (the kubelet resolves a run's credentials): " + generated);
    }

    @Test
    void clusterModeGrantsExactlyTheGeneratedRbac() {
        Set<Grant> chart = HelmChartTest.grants(HelmChart.renderDefaults());
        RbacGrants.assertSame(generated, only(chart, RbacGrants.CLUSTER), "cluster-wide grants versus " + GENERATED);
        RbacGrants.assertSame(union(lease, GATEWAY), only(chart, NS), "grants in the release namespace");
        RbacGrants.assertSame(AUTH_CONFIG, only(chart, "kube-system"), "grants in kube-system");
        assertEquals(Set.of(RbacGrants.CLUSTER, NS, "kube-system"), chart.stream().map(Grant::where).collect(Collectors.toSet()));
    }

    @Test
    void namespacedModeGrantsTheGeneratedRbacInEachWatchedNamespaceOnly() {
        Set<Grant> chart = HelmChartTest.grants(HelmChart.render("namespaced-values.yaml"));
        Set<Grant> clusterScoped = generated.stream().filter(g -> CLUSTER_SCOPED.contains(g.groupResource()))
                .collect(Collectors.toSet());
        assertFalse(clusterScoped.isEmpty(), "the SDK validates the CRDs at start");
        RbacGrants.assertSame(clusterScoped, only(chart, RbacGrants.CLUSTER), "cluster-wide grants");
        for (String ns : List.of("team-a", "team-b")) {
            Set<Grant> expected = generated.stream().filter(g -> !CLUSTER_SCOPED.contains(g.groupResource()))
                    .map(g -> g.in(ns)).collect(Collectors.toSet());
            RbacGrants.assertSame(expected, only(chart, ns), "grants in " + ns);
        }
        RbacGrants.assertSame(union(lease, GATEWAY), only(chart, NS), "grants in the release namespace");
        RbacGrants.assertSame(AUTH_CONFIG, only(chart, "kube-system"), "grants in kube-system");
        assertEquals(Set.of(RbacGrants.CLUSTER, NS, "kube-system", "team-a", "team-b"),
                chart.stream().map(Grant::where).collect(Collectors.toSet()));
    }

    private static Set<Grant> union(Set<Grant> a, Set<Grant> b) {
        Set<Grant> all = new java.util.HashSet<>(a);
        all.addAll(b);
        return all;
    }

    private static Set<Grant> only(Set<Grant> grants, String where) {
        return grants.stream().filter(g -> g.where().equals(where)).collect(Collectors.toSet());
    }
}
