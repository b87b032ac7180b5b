package dev.sessionops.claude.admission;

import java.util.ArrayList;
import java.util.List;

import dev.sessionops.claude.api.v1alpha1.ClaudeMessageSpec;
import dev.sessionops.claude.api.v1alpha1.ClaudeSession;
import dev.sessionops.claude.api.v1alpha1.ClaudeSessionSpec;
import dev.sessionops.claude.api.v1alpha1.NameRef;
import io.fabric8.kubernetes.api.model.EnvVar;

/**
 * Every object of its namespace a session or a message makes the operator read or mount on its behalf: what its
 * author must be allowed to {@code get} themselves, or the operator would be their confused deputy. Pure.
 */
final class References {
    static final String SECRETS = "secrets";
    static final String CONFIG_MAPS = "configmaps";
    static final String CLAIMS = "persistentvolumeclaims";
    static final String SERVICE_ACCOUNTS = "serviceaccounts";
    static final String SESSIONS = "claudesessions";

    /**
     * One referenced object.
     *
     * @param group    its API group ("" for the core group)
     * @param resource its resource (plural)
     * @param field    where the spec names it, for the refusal's message
     */
    record Reference(String group, String resource, String name, String field) {
        String describe() {
            return resource + " \"" + name + "\" (" + field + ")";
        }
    }

    private References() {
    }

    static List<Reference> of(ClaudeSessionSpec spec) {
        List<Reference> out = new ArrayList<>();
        if (spec == null) {
            return out;
        }
        if (spec.getCredentials() != null) {
            core(out, SECRETS, spec.getCredentials().getSecretRef(), "spec.credentials.secretRef");
        }
        if (spec.getEnv() != null) {
            for (int i = 0; i < spec.getEnv().size(); i++) {
                EnvVar e = spec.getEnv().get(i);
                if (e != null && e.getValueFrom() != null) {
                    String field = "spec.env[" + i + "].valueFrom.";
                    if (e.getValueFrom().getSecretKeyRef() != null) {
                        core(out, SECRETS, e.getValueFrom().getSecretKeyRef().getName(), field + "secretKeyRef");
                    }
                    if (e.getValueFrom().getConfigMapKeyRef() != null) {
                        core(out, CONFIG_MAPS, e.getValueFrom().getConfigMapKeyRef().getName(), field + "configMapKeyRef");
                    }
                }
            }
        }
        if (spec.getMcpConfig() != null) {
            core(out, CONFIG_MAPS, spec.getMcpConfig().getName(), "spec.mcpConfig");
        }
        if (spec.getWorkspace() != null) {
            if (spec.getWorkspace().getGit() != null) {
                core(out, SECRETS, spec.getWorkspace().getGit().getCredentialsSecretRef(),
                        "spec.workspace.git.credentialsSecretRef");
            }
            if (spec.getWorkspace().getVolumeClaim() != null) {
                core(out, CLAIMS, spec.getWorkspace().getVolumeClaim().getClaimName(), "spec.workspace.volumeClaim");
            }
        }
        core(out, SERVICE_ACCOUNTS, spec.getServiceAccountName(), "spec.serviceAccountName");
        return out;
    }

    static List<Reference> of(ClaudeMessageSpec spec) {
        List<Reference> out = new ArrayList<>();
        if (spec == null) {
            return out;
        }
        if (spec.getSessionRef() != null && spec.getSessionRef().getName() != null) {
            out.add(new Reference(ClaudeSession.GROUP, SESSIONS, spec.getSessionRef().getName(), "spec.sessionRef"));
        }
        if (spec.getPromptFrom() != null && spec.getPromptFrom().getConfigMapKeyRef() != null) {
            core(out, CONFIG_MAPS, spec.getPromptFrom().getConfigMapKeyRef().getName(), "spec.promptFrom.configMapKeyRef");
        }
        return out;
    }

    private static void core(List<Reference> out, String resource, NameRef ref, String field) {
        if (ref != null) {
            core(out, resource, ref.getName(), field);
        }
    }

    private static void core(List<Reference> out, String resource, String name, String field) {
        if (name != null && !name.isEmpty()) {
            out.add(new Reference("", resource, name, field));
        }
    }
}
