package dev.sessionops.claude.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.sessionops.claude.api.v1alpha1.ClaudeSessionSpec;

class RunPolicyTest {
    private static final String RUNNER = "registry.example.com/claude-runner:2.1.330";
    private static final RunPolicy OPEN = new RunPolicy(List.of(), List.of(), List.of(), Optional.empty(), Optional.empty(),
            Optional.empty());
    private static final RunPolicy STRICT = new RunPolicy(List.of("registry.example.com/claude-runner:"), List.of("claude-runner"),
            List.of("bypassPermissions"), Optional.of(5.0), Optional.of(50), Optional.of(Duration.ofHours(1)));

    @Test
    void withoutAPolicyOnlyTheSessionsOwnLimitsAndNamedServiceAccountsCount() {
        assertEquals(List.of(), OPEN.violations(run(s -> { }), null, "anything:latest", null));
        assertEquals(1, OPEN.violations(run(s -> { }), null, RUNNER, "cloud-admin").size(),
                "no service account may be named unless the policy lists it");
    }

    @Test
    void thePolicysImagesServiceAccountsModesAndCeilingsAreEnforced() {
        EffectiveRunSettings fine = run(s -> {
            s.setMaxBudgetUsd(1.0);
            s.setMaxTurns(10);
            s.setTimeout("30m");
            s.setPermissionMode("acceptEdits");
        });
        assertEquals(List.of(), STRICT.violations(fine, null, RUNNER, "claude-runner"));
        EffectiveRunSettings greedy = run(s -> {
            s.setMaxBudgetUsd(50.0);
            s.setMaxTurns(500);
            s.setTimeout("1h30m");
            s.setPermissionMode("bypassPermissions");
        });
        List<String> all = STRICT.violations(greedy, null, "docker.io/evil/runner:1", "cloud-admin");
        assertEquals(6, all.size(), all.toString());
        assertTrue(all.get(0).startsWith("image docker.io/evil/runner:1 is not one the policy allows"), all.get(0));
        assertTrue(String.join("; ", all).contains("permissionMode bypassPermissions is denied by the policy"));
    }

    @Test
    void aRunWithoutLimitsGetsThePolicysCeilings() {
        EffectiveRunSettings open = run(s -> { });
        STRICT.applyCeilings(open);
        assertEquals(5.0, open.getMaxBudgetUsd());
        assertEquals(50, open.getMaxTurns());
        assertEquals("3600s", open.getTimeout());
        assertEquals(List.of(), STRICT.violations(open, null, RUNNER, null));
    }

    @Test
    void aMessageMayLowerItsSessionsLimitsButNotRaiseThem() {
        ClaudeSessionSpec session = new ClaudeSessionSpec();
        session.setMaxBudgetUsd(2.0);
        session.setMaxTurns(5);
        session.setTimeout("10m");
        session.setPermissionMode("acceptEdits");
        EffectiveRunSettings lower = run(s -> {
            s.setMaxBudgetUsd(1.0);
            s.setMaxTurns(3);
            s.setTimeout("5m");
        });
        assertEquals(List.of(), OPEN.violations(lower, session, RUNNER, null));
        EffectiveRunSettings higher = run(s -> {
            s.setMaxBudgetUsd(3.0);
            s.setMaxTurns(6);
            s.setTimeout("20m");
            s.setPermissionMode("bypassPermissions");
        });
        List<String> raised = OPEN.violations(higher, session, RUNNER, null);
        assertEquals(4, raised.size(), raised.toString());
        assertTrue(raised.contains("maxTurns 6 is above its session's 5"), raised.toString());
        assertTrue(raised.contains("permissionMode bypassPermissions is more than its session allows"), raised.toString());
    }

    @Test
    void placementLabelsAndAnnotationsOnlyByTheKeysThePolicyLists() {
        ClaudeSessionSpec session = new ClaudeSessionSpec();
        session.setTolerations(List.of(new io.fabric8.kubernetes.api.model.TolerationBuilder().withKey("gpu")
                .withOperator("Exists").build(), new io.fabric8.kubernetes.api.model.TolerationBuilder()
                .withOperator("Exists").build()));
        session.setNodeSelector(java.util.Map.of("pool", "claude"));
        session.setPodLabels(java.util.Map.of("team", "a", "role", "database-client"));
        session.setPodAnnotations(java.util.Map.of("iam.amazonaws.com/role", "admin"));
        List<String> none = OPEN.placementViolations(session);
        assertEquals(List.of("toleration gpu is not one the policy allows",
                "toleration of every taint (no key) is not one the policy allows", "nodeSelector key pool is not one the policy allows",
                "podLabels key role is not one the policy allows", "podLabels key team is not one the policy allows",
                "podAnnotations key iam.amazonaws.com/role is not one the policy allows"), none);
        RunPolicy listing = new RunPolicy(List.of(), List.of(), List.of(), Optional.empty(), Optional.empty(), Optional.empty(),
                new RunPolicy.Placement(List.of("gpu"), List.of("pool"), List.of("team"), List.of()));
        assertEquals(List.of("toleration of every taint (no key) is not one the policy allows",
                "podLabels key role is not one the policy allows",
                "podAnnotations key iam.amazonaws.com/role is not one the policy allows"), listing.placementViolations(session));
        assertEquals(List.of(), OPEN.placementViolations(new ClaudeSessionSpec()), "a session that says nothing");
    }

    /** A session timeout no API server checked (the mock tier has no schema): a violation, not an exception. */
    @Test
    void anUnreadableSessionTimeoutIsALimitNoRunKeepsTo() {
        ClaudeSessionSpec session = new ClaudeSessionSpec();
        session.setTimeout("soon");
        assertEquals(List.of("timeout 5m is above its session's soon"), OPEN.violations(run(s -> s.setTimeout("5m")), session,
                RUNNER, null));
    }

    private static EffectiveRunSettings run(java.util.function.Consumer<EffectiveRunSettings> edit) {
        EffectiveRunSettings s = new EffectiveRunSettings();
        edit.accept(s);
        return s;
    }
}
