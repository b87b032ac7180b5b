package dev.sessionops.claude.e2e;

import static dev.sessionops.claude.e2e.Harness.awaitReason;
import static dev.sessionops.claude.e2e.Harness.conditionMessage;
import static dev.sessionops.claude.e2e.Harness.message;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;


import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.api.v1alpha1.ClaudeMessageSpec;
import dev.sessionops.claude.api.v1alpha1.KeyRef;
import dev.sessionops.claude.api.v1alpha1.MessagePhase;
import dev.sessionops.claude.api.v1alpha1.PromptSource;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Each kind of bad input ends in its own condition reason with a message that says what to fix, a Warning Event,
 * and no Job. (What the CRD schema also rejects on a real API server is checked in CrdsUpToDateTest; the mock server
 * validates nothing, so here the operator's own checks answer.)
 */
@QuarkusTest
class BadInputIT extends EndToEndTest {

    static List<Arguments> cases() {
        return List.of(
                bad("no-prompt", "ok", MessagePhase.Failed, "PromptMissing", "exactly one of prompt or promptFrom",
                        m -> m.setPrompt(null)),
                bad("two-prompts", "ok", MessagePhase.Failed, "PromptAmbiguous", "not both",
                        m -> m.setPromptFrom(new PromptSource(new KeyRef("prompts", "plain.md")))),
                bad("bad-mode", "ok", MessagePhase.Failed, "InvalidPermissionMode", "yolo", m -> m.setPermissionMode("yolo")),
                bad("bad-effort", "ok", MessagePhase.Failed, "InvalidEffort", "extreme", m -> m.setEffort("extreme")),
                bad("zero-turns", "ok", MessagePhase.Failed, "InvalidMaxTurns", "at least 1", m -> m.setMaxTurns(0)),
                bad("negative-budget", "ok", MessagePhase.Failed, "InvalidBudget", "-1.5", m -> m.setMaxBudgetUsd(-1.5)),
                bad("bad-timeout", "ok", MessagePhase.Failed, "InvalidTimeout", "soon", m -> m.setTimeout("soon")),
                bad("plain-key", "plainkey", MessagePhase.Failed, "PlainTextCredential", "ANTHROPIC_API_KEY", m -> {
                }),
                bad("no-configmap", "ok", MessagePhase.Pending, "ConfigMapNotFound", "ConfigMap absent not found",
                        promptFrom("absent", "x.md")),
                bad("no-key", "ok", MessagePhase.Pending, "ConfigMapKeyNotFound", "has no key missing.md",
                        promptFrom("prompts", "missing.md")),
                bad("broken-yaml", "ok", MessagePhase.Failed, "InvalidFrontMatter", "prompts/broken.md",
                        promptFrom("prompts", "broken.md")),
                bad("unknown-key", "ok", MessagePhase.Failed, "UnknownFrontMatterKey", "temperature",
                        promptFrom("prompts", "unknown-key.md")),
                bad("session-required", null, MessagePhase.Failed, "SessionRequired", "session.required",
                        promptFrom("prompts", "needs-session.md")),
                bad("unknown-variable", "ok", MessagePhase.Failed, "UnknownVariable", "ticket",
                        m -> m.setPrompt("Fix ticket {ticket}")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void badInputIsReportedWithoutAJob(String name, String session, MessagePhase phase, String reason, String hint,
            Consumer<ClaudeMessageSpec> spec) {
        String ns = namespaceWithFixtures();
        message(client, ns, name, session, "A prompt", spec);
        ClaudeMessage m = awaitReason(client, ns, name, reason);
        assertEquals(phase, m.getStatus().getPhase());
        assertTrue(conditionMessage(m).contains(hint), "condition message: " + conditionMessage(m));
        assertTrue(Harness.events(client, ns, name).stream()
                .anyMatch(e -> reason.equals(e.getReason()) && "Warning".equals(e.getType())), "Warning event " + reason);
        assertTrue(Harness.jobs(client, ns).isEmpty(), "no Job for bad input");
    }

    private String namespaceWithFixtures() {
        String ns = Harness.namespace(client, "bad");
        Harness.session(client, ns, "ok", s -> {
        });
        Harness.session(client, ns, "plainkey", s -> s.setEnv(List.of(new EnvVar("ANTHROPIC_API_KEY", "sk-plain", null))));
        client.configMaps().inNamespace(ns).resource(new ConfigMapBuilder().withNewMetadata().withName("prompts").endMetadata()
                .withData(Map.of(
                        "plain.md", "Just a prompt",
                        "broken.md", "---\nmodel: [unclosed\n---\nBody",
                        "unknown-key.md", "---\ntemperature: 0.2\n---\nBody",
                        "needs-session.md", "---\nsession:\n  required: true\n---\nBody"))
                .build()).create();
        return ns;
    }

    private static Arguments bad(String name, String session, MessagePhase phase, String reason, String hint,
            Consumer<ClaudeMessageSpec> spec) {
        return Arguments.of(name, session, phase, reason, hint, spec);
    }

    private static Consumer<ClaudeMessageSpec> promptFrom(String configMap, String key) {
        return m -> {
            m.setPrompt(null);
            m.setPromptFrom(new PromptSource(new KeyRef(configMap, key)));
        };
    }
}
