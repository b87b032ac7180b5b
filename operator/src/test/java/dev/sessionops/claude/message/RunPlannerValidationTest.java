package dev.sessionops.claude.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.Consumer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.sessionops.claude.api.prompt.FrontMatterSettings;
import dev.sessionops.claude.api.v1alpha1.RunSettings;

class RunPlannerValidationTest {

    @Test
    void everyValidValueTogetherPasses() {
        EffectiveRunSettings s = valid();
        s.setPermissionMode("bypassPermissions");
        s.setEffort("xhigh");
        s.setMaxTurns(1);
        s.setMaxBudgetUsd(0.0001);
        s.setTimeout("1h30m");
        assertValid(s);
    }

    @Test
    void unsetOptionsPass() {
        assertValid(valid());
    }

    @ParameterizedTest
    @ValueSource(strings = {"acceptEdits", "auto", "bypassPermissions", "manual", "dontAsk", "plan"})
    void everyPermissionModeOfTheCliPasses(String mode) {
        assertValid(with(s -> s.setPermissionMode(mode)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"yolo", "AcceptEdits", "default", ""})
    void unknownPermissionModeIsInvalid(String mode) {
        MessageProblem p = invalid(with(s -> s.setPermissionMode(mode)), Reasons.INVALID_PERMISSION_MODE);
        assertTrue(p.getMessage().contains("permissionMode " + mode + " is not one of"), p.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"low", "medium", "high", "xhigh", "max"})
    void everyEffortOfTheCliPasses(String effort) {
        assertValid(with(s -> s.setEffort(effort)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"extreme", "HIGH", "ultrathink"})
    void unknownEffortIsInvalid(String effort) {
        MessageProblem p = invalid(with(s -> s.setEffort(effort)), Reasons.INVALID_EFFORT);
        assertTrue(p.getMessage().contains(effort), p.getMessage());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, Integer.MIN_VALUE})
    void maxTurnsBelowOneIsInvalid(int turns) {
        MessageProblem p = invalid(with(s -> s.setMaxTurns(turns)), Reasons.INVALID_MAX_TURNS);
        assertTrue(p.getMessage().contains("got " + turns), p.getMessage());
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.0, -0.0, -1.0, Double.NaN, Double.NEGATIVE_INFINITY})
    void budgetThatIsNotAboveZeroIsInvalid(double budget) {
        invalid(with(s -> s.setMaxBudgetUsd(budget)), Reasons.INVALID_BUDGET);
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.0001, 1, 250.5})
    void positiveBudgetPasses(double budget) {
        assertValid(with(s -> s.setMaxBudgetUsd(budget)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"500ms", "90s", "30m", "1h30m", "2h"})
    void durationTimeoutsPass(String timeout) {
        assertValid(with(s -> s.setTimeout(timeout)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"30", "0s", "0m0s", "1d", "soon", "-5m", "1h 30m", ""})
    void timeoutThatIsNotAPositiveDurationIsInvalid(String timeout) {
        MessageProblem p = invalid(with(s -> s.setTimeout(timeout)), Reasons.INVALID_TIMEOUT);
        assertTrue(p.getMessage().contains("timeout " + timeout + " is not a duration"), p.getMessage());
    }

    @Test
    void missingTimeoutIsInvalid() {
        // the merged settings always carry the operator's default timeout; without one there is no Job deadline
        invalid(with(s -> s.setTimeout(null)), Reasons.INVALID_TIMEOUT);
    }

    @Test
    void frontMatterSettingsAreValidatedTheSameWay() {
        FrontMatterSettings s = new FrontMatterSettings();
        s.setTimeout("10m");
        s.setMaxTurns(0);
        invalid(s, Reasons.INVALID_MAX_TURNS);
    }

    @Test
    void problemsAreInvalidNotWaiting() {
        MessageProblem p = invalid(with(s -> s.setEffort("nope")), Reasons.INVALID_EFFORT);
        assertFalse(p.isWaiting());
    }

    private static EffectiveRunSettings valid() {
        EffectiveRunSettings s = new EffectiveRunSettings();
        s.setTimeout("30m");
        return s;
    }

    private static EffectiveRunSettings with(Consumer<EffectiveRunSettings> change) {
        EffectiveRunSettings s = valid();
        change.accept(s);
        return s;
    }

    private static void assertValid(RunSettings s) {
        try {
            RunPlanner.validate(s);
        } catch (MessageProblem p) {
            throw new AssertionError("expected valid, got " + p.reason() + ": " + p.getMessage(), p);
        }
    }

    private static MessageProblem invalid(RunSettings s, String reason) {
        MessageProblem p = assertThrows(MessageProblem.class, () -> RunPlanner.validate(s));
        assertEquals(reason, p.reason(), p.getMessage());
        return p;
    }
}
