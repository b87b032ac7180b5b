package dev.sessionops.claude.message;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

import dev.sessionops.claude.api.v1alpha1.RunSettings;

/**
 * Merges per-run options field by field: a later layer's non-null value wins. A set list replaces the earlier one
 * whole (an empty list too: it is an explicit "none"), so a message can narrow a session's tools.
 */
public final class RunSettingsMerger {
    private RunSettingsMerger() {
    }

    /** The design's order: operator defaults, then the session, then the prompt file's front matter, then the message. */
    public static EffectiveRunSettings merge(RunSettings operatorDefaults, RunSettings session, RunSettings frontMatter,
            RunSettings message) {
        return merge(Arrays.asList(operatorDefaults, session, frontMatter, message));
    }

    /** Layers lowest precedence first; null layers are skipped. The inputs are not changed. */
    public static EffectiveRunSettings merge(List<? extends RunSettings> layers) {
        EffectiveRunSettings result = new EffectiveRunSettings();
        layers.stream().filter(Objects::nonNull).forEach(layer -> apply(layer, result));
        return result;
    }

    private static void apply(RunSettings layer, RunSettings into) {
        if (layer.getModel() != null) into.setModel(layer.getModel());
        if (layer.getFallbackModel() != null) into.setFallbackModel(layer.getFallbackModel());
        if (layer.getEffort() != null) into.setEffort(layer.getEffort());
        if (layer.getSystemPrompt() != null) into.setSystemPrompt(layer.getSystemPrompt());
        if (layer.getAppendSystemPrompt() != null) into.setAppendSystemPrompt(layer.getAppendSystemPrompt());
        if (layer.getAllowedTools() != null) into.setAllowedTools(new ArrayList<>(layer.getAllowedTools()));
        if (layer.getDisallowedTools() != null) into.setDisallowedTools(new ArrayList<>(layer.getDisallowedTools()));
        if (layer.getPermissionMode() != null) into.setPermissionMode(layer.getPermissionMode());
        if (layer.getMaxTurns() != null) into.setMaxTurns(layer.getMaxTurns());
        if (layer.getMaxBudgetUsd() != null) into.setMaxBudgetUsd(layer.getMaxBudgetUsd());
        if (layer.getTimeout() != null) into.setTimeout(layer.getTimeout());
    }
}
