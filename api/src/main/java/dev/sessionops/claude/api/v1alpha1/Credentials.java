package dev.sessionops.claude.api.v1alpha1;

import java.util.List;
import java.util.Set;

import io.fabric8.generator.annotation.Required;

/** A Secret holding ANTHROPIC_API_KEY or CLAUDE_CODE_OAUTH_TOKEN; its values only ever reach the pod through secretKeyRef. */
public class Credentials {
    /** The keys a credentials Secret provides, looked for in this order; each reaches the run as the same-named variable. */
    public static final List<String> SECRET_KEYS = List.of("ANTHROPIC_API_KEY", "CLAUDE_CODE_OAUTH_TOKEN");
    /** Variables that carry a credential: only ever set through a secretKeyRef, never as a plain value. */
    public static final Set<String> ENV_NAMES = Set.of("ANTHROPIC_API_KEY", "CLAUDE_CODE_OAUTH_TOKEN", "ANTHROPIC_AUTH_TOKEN");
    /** {@link #ENV_NAMES} as a CEL list, for the CRD's rule on {@code env[]} (an annotation needs a constant). */
    public static final String ENV_NAMES_CEL = "['ANTHROPIC_API_KEY', 'CLAUDE_CODE_OAUTH_TOKEN', 'ANTHROPIC_AUTH_TOKEN']";

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
