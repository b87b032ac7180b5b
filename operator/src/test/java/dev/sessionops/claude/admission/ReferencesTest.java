package dev.sessionops.claude.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.sessionops.claude.api.v1alpha1.ClaudeMessageSpec;
import dev.sessionops.claude.api.v1alpha1.ClaudeSessionSpec;
import dev.sessionops.claude.api.v1alpha1.Credentials;
import dev.sessionops.claude.api.v1alpha1.GitWorkspace;
import dev.sessionops.claude.api.v1alpha1.KeyRef;
import dev.sessionops.claude.api.v1alpha1.NameRef;
import dev.sessionops.claude.api.v1alpha1.PromptSource;
import dev.sessionops.claude.api.v1alpha1.VolumeClaimWorkspace;
import dev.sessionops.claude.api.v1alpha1.Workspace;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;

class ReferencesTest {

    @Test
    void everyObjectASessionMakesTheOperatorReadIsListedWithItsField() {
        ClaudeSessionSpec s = new ClaudeSessionSpec();
        s.setCredentials(new Credentials(new NameRef("anthropic")));
        s.setEnv(List.of(new EnvVar("PLAIN", "x", null),
                new EnvVarBuilder().withName("A").withNewValueFrom().withNewSecretKeyRef("k", "db", false).endValueFrom().build(),
                new EnvVarBuilder().withName("B").withNewValueFrom().withNewConfigMapKeyRef("k", "settings", false).endValueFrom()
                        .build(),
                new EnvVarBuilder().withName("C").withNewValueFrom().withNewFieldRef(null, "metadata.name").endValueFrom().build()));
        s.setMcpConfig(new KeyRef("mcp", "servers.json"));
        Workspace w = new Workspace();
        GitWorkspace git = new GitWorkspace();
        git.setCredentialsSecretRef(new NameRef("git-token"));
        w.setGit(git);
        VolumeClaimWorkspace claim = new VolumeClaimWorkspace();
        claim.setClaimName("work");
        w.setVolumeClaim(claim);
        s.setWorkspace(w);
        s.setServiceAccountName("agent");

        assertEquals(List.of(
                "secrets \"anthropic\" (spec.credentials.secretRef)",
                "secrets \"db\" (spec.env[1].valueFrom.secretKeyRef)",
                "configmaps \"settings\" (spec.env[2].valueFrom.configMapKeyRef)",
                "configmaps \"mcp\" (spec.mcpConfig)",
                "secrets \"git-token\" (spec.workspace.git.credentialsSecretRef)",
                "persistentvolumeclaims \"work\" (spec.workspace.volumeClaim)",
                "serviceaccounts \"agent\" (spec.serviceAccountName)"),
                References.of(s).stream().map(References.Reference::describe).toList());
        References.of(s).forEach(r -> assertEquals("", r.group(), r.describe()));
    }

    @Test
    void aMessageReferencesItsSessionAndItsPromptFile() {
        ClaudeMessageSpec m = new ClaudeMessageSpec();
        m.setSessionRef(new NameRef("chat"));
        m.setPromptFrom(new PromptSource(new KeyRef("prompts", "review.md")));
        List<References.Reference> refs = References.of(m);
        assertEquals(List.of("claudesessions \"chat\" (spec.sessionRef)", "configmaps \"prompts\" (spec.promptFrom.configMapKeyRef)"),
                refs.stream().map(References.Reference::describe).toList());
        assertEquals("claude.sessionops.dev", refs.get(0).group());
    }

    @Test
    void nothingIsListedForAnEmptySpecOrEmptyNames() {
        assertEquals(List.of(), References.of(new ClaudeSessionSpec()));
        assertEquals(List.of(), References.of(new ClaudeMessageSpec()));
        ClaudeSessionSpec s = new ClaudeSessionSpec();
        s.setServiceAccountName("");
        assertEquals(List.of(), References.of(s));
    }
}
