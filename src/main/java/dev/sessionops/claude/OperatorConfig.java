package dev.sessionops.claude;

import java.util.Map;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Operator-wide settings; every session-level default here is overridden by a session's own value. */
@ConfigMapping(prefix = "cso")
public interface OperatorConfig {

    Defaults defaults();

    Job job();

    /** Longest result text kept in a message's status; the rest is cut and {@code resultTruncated} set. */
    @WithDefault("4096")
    int resultMaxChars();

    interface Defaults {
        /** The runner image (Node + the pinned claude CLI + git, non-root uid 1000). */
        @WithDefault("ghcr.io/sessionops/claude-runner:2.1.330")
        String image();

        /** Secret with ANTHROPIC_API_KEY or CLAUDE_CODE_OAUTH_TOKEN, for sessions without credentials. */
        Optional<String> credentialsSecret();

        /** Plain environment for every run (never credentials: those only come from Secrets). */
        Map<String, String> env();

        Optional<String> model();

        Optional<String> permissionMode();

        @WithDefault("30m")
        String timeout();

        @WithDefault("1Gi")
        String stateSize();

        Optional<String> storageClassName();

        Optional<String> serviceAccountName();

        Optional<String> cpuRequest();

        Optional<String> memoryRequest();

        Optional<String> cpuLimit();

        Optional<String> memoryLimit();
    }

    interface Job {
        /** How long finished Jobs (and their pod logs) stay for debugging. */
        @WithDefault("3600")
        int ttlSecondsAfterFinished();
    }
}
