package dev.sessionops.claude.api.v1alpha1;

import java.util.List;
import java.util.Set;

import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/**
 * A Secret holding ANTHROPIC_API_KEY or CLAUDE_CODE_OAUTH_TOKEN; its values only ever reach the pod through
 * secretKeyRef. The operator never reads it: the kubelet does, and a missing Secret or key holds the pod in
 * CreateContainerConfigError, which the operator reports as CredentialsMissing.
 */
public class Credentials {
    /** The keys a credentials Secret provides, looked for in this order; each reaches the run as the same-named variable. */
    public static final List<String> SECRET_KEYS = List.of("ANTHROPIC_API_KEY", "CLAUDE_CODE_OAUTH_TOKEN");
    /** Variables that carry a credential: only ever set through a secretKeyRef, never as a plain value. */
    public static final Set<String> ENV_NAMES = Set.of("ANTHROPIC_API_KEY", "CLAUDE_CODE_OAUTH_TOKEN", "ANTHROPIC_AUTH_TOKEN");
    /** {@link #ENV_NAMES} as a CEL list, for the CRD's rule on {@code env[]} (an annotation needs a constant). */
    public static final String ENV_NAMES_CEL = "['ANTHROPIC_API_KEY', 'CLAUDE_CODE_OAUTH_TOKEN', 'ANTHROPIC_AUTH_TOKEN']";

    /** {@link #SECRET_KEYS} as a pattern, for the CRD. */
    public static final String KEY_PATTERN = "^(ANTHROPIC_API_KEY|CLAUDE_CODE_OAUTH_TOKEN)$";

    @Required
    private NameRef secretRef;
    /** Which key of the Secret carries the credential (and names the variable the CLI gets); ANTHROPIC_API_KEY if unset. */
    @Pattern(KEY_PATTERN)
    private String key;

    public Credentials() {
    }

    public Credentials(NameRef secretRef) {
        this.secretRef = secretRef;
    }

    public NameRef getSecretRef() { return secretRef; }
    public void setSecretRef(NameRef secretRef) { this.secretRef = secretRef; }
    public String getKey() { return key; }
    public void setKey(String key) { this.key = key; }

    /** The key used: {@link #getKey()} or ANTHROPIC_API_KEY. */
    public String keyOrDefault() { return key == null ? SECRET_KEYS.get(0) : key; }
}
