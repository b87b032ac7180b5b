package dev.sessionops.claude.message;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Which environment variables a session may set for its runs. The agent runs with the model credentials in its
 * environment, so a name that redirects where they go (the API's address, a proxy, a header), loads code into the
 * CLI (Node or the loader's options, a shell's startup file) or weakens TLS is refused unless the operator's policy
 * ({@code cso.policy.allowed-env}) names it. The credentials themselves may come from a Secret. Pure.
 */
public record EnvPolicy(Set<String> allowed) {
    /** Names refused whole. */
    static final Set<String> REFUSED = Set.of("NODE_OPTIONS", "NODE_TLS_REJECT_UNAUTHORIZED", "NODE_EXTRA_CA_CERTS",
            "NODE_PATH", "BASH_ENV", "ENV", "SSL_CERT_FILE", "SSL_CERT_DIR", "GIT_SSH_COMMAND", "GIT_CONFIG_GLOBAL");
    /** Prefixes refused (CLAUDE_CODE_* but for the harmless ones below). */
    static final List<String> REFUSED_PREFIXES = List.of("ANTHROPIC_", "CLAUDE_CODE_", "LD_", "DYLD_", "AWS_", "GOOGLE_",
            "VERTEX_", "CLOUD_ML_");
    /** Suffixes refused: HTTP_PROXY, https_proxy, NO_PROXY and the like. */
    static final List<String> REFUSED_SUFFIXES = List.of("_PROXY");
    /** CLAUDE_CODE_* settings that change how the CLI behaves, not where its credentials go or what it loads. */
    static final Set<String> HARMLESS = Set.of("CLAUDE_CODE_MAX_OUTPUT_TOKENS", "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC",
            "CLAUDE_CODE_EFFORT_LEVEL", "CLAUDE_CODE_DISABLE_AUTO_MEMORY");

    public EnvPolicy {
        allowed = Set.copyOf(allowed);
    }

    public static EnvPolicy allowing(Optional<List<String>> names) {
        return new EnvPolicy(Set.copyOf(names.orElse(List.of())));
    }

    /**
     * Why {@code name} may not be set by a session; empty when it may.
     *
     * @param fromSecret the value comes from a Secret (the supported way to pass a credential)
     */
    public Optional<String> refusal(String name, boolean fromSecret) {
        if (allowed.contains(name) || HARMLESS.contains(name)
                || fromSecret && dev.sessionops.claude.api.v1alpha1.Credentials.ENV_NAMES.contains(name)) {
            return Optional.empty();
        }
        String upper = name.toUpperCase(java.util.Locale.ROOT);
        boolean refused = REFUSED.contains(upper) || REFUSED_PREFIXES.stream().anyMatch(upper::startsWith)
                || REFUSED_SUFFIXES.stream().anyMatch(upper::endsWith);
        return refused ? Optional.of("env " + name + " is not allowed: it could send the model credentials elsewhere, load"
                + " code into the CLI or weaken TLS; the operator's policy (cso.policy.allowed-env) may allow it")
                : Optional.empty();
    }
}
