package dev.sessionops.claude.deploy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleRef;
import io.fabric8.kubernetes.api.model.rbac.Subject;

/**
 * What a ServiceAccount may do according to a set of manifests, flattened to one {@link Grant} per (where, API
 * group, resource, verb), so that two RBAC layouts (the chart's, the operator SDK's generated one) compare as sets
 * whatever their role names and rule grouping.
 */
final class RbacGrants {
    /** Where a grant applies: a namespace, or {@link #CLUSTER} for every namespace and cluster-scoped resources. */
    static final String CLUSTER = "*cluster*";

    record Grant(String where, String apiGroup, String resource, String verb, List<String> resourceNames)
            implements Comparable<Grant> {
        @Override
        public int compareTo(Grant o) {
            return toString().compareTo(o.toString());
        }

        Grant in(String namespace) {
            return new Grant(namespace, apiGroup, resource, verb, resourceNames);
        }

        String groupResource() {
            return apiGroup + "/" + resource;
        }
    }

    /** A binding's role that is not among the manifests (e.g. the built-in "view"). */
    record UnknownRole(String binding, RoleRef role) {
    }

    /**
     * Built-in Roles whose rules are known, by namespace and name, so a binding to them counts as what it grants.
     * extension-apiserver-authentication-reader (the kube-apiserver's RBAC bootstrap policy) lets an aggregated API
     * server read the kube-apiserver's authentication configuration, ConfigMap kube-system/extension-apiserver-authentication.
     */
    static final Map<String, List<PolicyRule>> BUILT_IN_ROLES = Map.of("kube-system/extension-apiserver-authentication-reader",
            List.of(new PolicyRuleBuilder().withApiGroups("").withResources("configmaps")
                    .withResourceNames("extension-apiserver-authentication").withVerbs("get", "list", "watch").build()));

    private RbacGrants() {
    }

    /**
     * The grants of the ServiceAccount through the bindings in the manifests. A subject without a namespace matches
     * (the SDK's generated manifests leave it to the installer); a binding to a role that is neither in the manifests
     * nor one of the {@link #BUILT_IN_ROLES} is reported to {@code unknown} instead.
     */
    static Set<Grant> of(List<HasMetadata> objects, String saNamespace, String saName, List<UnknownRole> unknown) {
        Set<Grant> grants = new TreeSet<>();
        for (HasMetadata o : objects) {
            if (o instanceof ClusterRoleBinding b && boundTo(b.getSubjects(), saNamespace, saName)) {
                Optional<List<PolicyRule>> rules = rulesOf(objects, b.getRoleRef(), null);
                rules.ifPresentOrElse(r -> add(grants, CLUSTER, r),
                        () -> unknown.add(new UnknownRole(b.getMetadata().getName(), b.getRoleRef())));
            } else if (o instanceof RoleBinding b && boundTo(b.getSubjects(), saNamespace, saName)) {
                String ns = b.getMetadata().getNamespace();
                Optional<List<PolicyRule>> rules = rulesOf(objects, b.getRoleRef(), ns);
                rules.ifPresentOrElse(r -> add(grants, ns, r),
                        () -> unknown.add(new UnknownRole(b.getMetadata().getName(), b.getRoleRef())));
            }
        }
        return grants;
    }

    /** Every rule of every Role and ClusterRole in the manifests, bound or not. */
    static List<PolicyRule> allRules(List<HasMetadata> objects) {
        List<PolicyRule> rules = new ArrayList<>();
        for (HasMetadata o : objects) {
            if (o instanceof ClusterRole r && r.getRules() != null) {
                rules.addAll(r.getRules());
            } else if (o instanceof Role r && r.getRules() != null) {
                rules.addAll(r.getRules());
            }
        }
        return rules;
    }

    /** Fails naming only what is missing from and what is beyond the expected grants. */
    static void assertSame(Set<Grant> expected, Set<Grant> actual, String what) {
        Set<Grant> missing = new TreeSet<>(expected);
        missing.removeAll(actual);
        Set<Grant> extra = new TreeSet<>(actual);
        extra.removeAll(expected);
        if (!missing.isEmpty() || !extra.isEmpty()) {
            throw new AssertionError(what + ": missing " + missing + ", beyond " + extra);
        }
    }

    private static boolean boundTo(List<Subject> subjects, String saNamespace, String saName) {
        return subjects != null && subjects.stream().anyMatch(s -> "ServiceAccount".equals(s.getKind())
                && saName.equals(s.getName()) && (s.getNamespace() == null || saNamespace.equals(s.getNamespace())));
    }

    private static Optional<List<PolicyRule>> rulesOf(List<HasMetadata> objects, RoleRef ref, String bindingNamespace) {
        for (HasMetadata o : objects) {
            if (!ref.getName().equals(o.getMetadata().getName())) {
                continue;
            }
            if ("ClusterRole".equals(ref.getKind()) && o instanceof ClusterRole r) {
                return Optional.of(r.getRules());
            }
            if ("Role".equals(ref.getKind()) && o instanceof Role r
                    && (r.getMetadata().getNamespace() == null || r.getMetadata().getNamespace().equals(bindingNamespace))) {
                return Optional.of(r.getRules());
            }
        }
        if ("Role".equals(ref.getKind())) {
            return Optional.ofNullable(BUILT_IN_ROLES.get(bindingNamespace + "/" + ref.getName()));
        }
        return Optional.empty();
    }

    private static void add(Set<Grant> grants, String where, List<PolicyRule> rules) {
        for (PolicyRule rule : rules) {
            List<String> names = rule.getResourceNames() == null ? List.of() : List.copyOf(rule.getResourceNames());
            for (String group : rule.getApiGroups()) {
                for (String resource : rule.getResources()) {
                    for (String verb : rule.getVerbs()) {
                        grants.add(new Grant(where, group, resource, verb, names));
                    }
                }
            }
        }
    }
}
