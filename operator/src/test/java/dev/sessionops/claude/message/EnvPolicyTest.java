package dev.sessionops.claude.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class EnvPolicyTest {
    private static final EnvPolicy DEFAULT = EnvPolicy.allowing(Optional.empty());

    @Test
    void namesThatRedirectCredentialsOrLoadCodeAreRefused() {
        for (String name : List.of("ANTHROPIC_BASE_URL", "ANTHROPIC_CUSTOM_HEADERS", "anthropic_base_url", "CLAUDE_CODE_USE_BEDROCK",
                "CLAUDE_CODE_SUBPROCESS_ENV_SCRUB", "NODE_OPTIONS", "HTTPS_PROXY", "https_proxy", "NO_PROXY", "ALL_PROXY",
                "NODE_TLS_REJECT_UNAUTHORIZED", "NODE_EXTRA_CA_CERTS", "LD_PRELOAD", "LD_LIBRARY_PATH", "BASH_ENV",
                "AWS_BEARER_TOKEN_BEDROCK", "GIT_SSH_COMMAND")) {
            assertTrue(DEFAULT.refusal(name, false).isPresent(), name);
        }
        assertTrue(DEFAULT.refusal("ANTHROPIC_BASE_URL", false).orElseThrow().contains("cso.policy.allowed-env"));
    }

    @Test
    void ordinaryNamesHarmlessSettingsCredentialsFromSecretsAndThePolicysListPass() {
        for (String name : List.of("TZ", "GOPATH", "MY_APP_TOKEN", "CLAUDE_CODE_MAX_OUTPUT_TOKENS", "DISABLE_TELEMETRY")) {
            assertEquals(Optional.empty(), DEFAULT.refusal(name, false), name);
        }
        assertEquals(Optional.empty(), DEFAULT.refusal("ANTHROPIC_API_KEY", true), "a credential from a Secret");
        assertTrue(DEFAULT.refusal("ANTHROPIC_API_KEY", false).isPresent(), "not as a plain value");
        EnvPolicy allowing = EnvPolicy.allowing(Optional.of(List.of("HTTPS_PROXY")));
        assertEquals(Optional.empty(), allowing.refusal("HTTPS_PROXY", false));
        assertTrue(allowing.refusal("HTTP_PROXY", false).isPresent(), "only the names listed");
    }
}
