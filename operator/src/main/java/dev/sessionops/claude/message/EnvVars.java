package dev.sessionops.claude.message;

import java.util.Collection;
import java.util.List;
import java.util.Set;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;

/** Environment helpers for the Job's containers. */
final class EnvVars {

    private EnvVars() {
    }

    static EnvVar fromSecret(String name, String secretName, String key, boolean optional) {
        return new EnvVarBuilder().withName(name)
                .withNewValueFrom().withNewSecretKeyRef(key, secretName, optional ? Boolean.TRUE : null).endValueFrom()
                .build();
    }

    /** Copies of {@code env} without the entries named in {@code owned}, which the operator sets itself. */
    static List<EnvVar> without(List<EnvVar> env, Collection<String> owned) {
        return env.stream().filter(e -> !owned.contains(e.getName())).map(e -> new EnvVarBuilder(e).build()).toList();
    }
}
