package dev.sessionops.claude.api.v1alpha1;

import io.fabric8.generator.annotation.Required;

/** A Secret holding ANTHROPIC_API_KEY or CLAUDE_CODE_OAUTH_TOKEN; its values only ever reach the pod through secretKeyRef. */
public class Credentials {
    @Required
    private NameRef secretRef;

    public Credentials() {
    }

    public Credentials(NameRef secretRef) {
        this.secretRef = secretRef;
    }

    public NameRef getSecretRef() { return secretRef; }
    public void setSecretRef(NameRef secretRef) { this.secretRef = secretRef; }
}
