package dev.sessionops.claude.message;

import dev.sessionops.claude.api.runner.PodLayout;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;

/** Security contexts that meet the Pod Security "restricted" profile, for the pod and each of its containers. */
final class RestrictedSecurity {
    static final String RUNTIME_DEFAULT = "RuntimeDefault";

    private RestrictedSecurity() {
    }

    static PodSecurityContext pod() {
        return new PodSecurityContextBuilder()
                .withRunAsNonRoot(true)
                .withRunAsUser(PodLayout.RUN_AS_USER)
                .withRunAsGroup(PodLayout.RUN_AS_USER)
                // makes the state volume writable by the non-root user; the tree is re-owned only when its root is
                // not the group already (a volume full of files is not walked at every start, nor is a claim's whole
                // tree re-chowned each time)
                .withFsGroup(PodLayout.RUN_AS_USER)
                .withFsGroupChangePolicy("OnRootMismatch")
                .withNewSeccompProfile().withType(RUNTIME_DEFAULT).endSeccompProfile()
                .build();
    }

    static SecurityContext container() {
        return new SecurityContextBuilder()
                .withAllowPrivilegeEscalation(false)
                .withNewCapabilities().withDrop("ALL").endCapabilities()
                .withRunAsNonRoot(true)
                .withNewSeccompProfile().withType(RUNTIME_DEFAULT).endSeccompProfile()
                .build();
    }
}
