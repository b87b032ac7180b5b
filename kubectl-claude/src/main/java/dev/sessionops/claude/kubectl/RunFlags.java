package dev.sessionops.claude.kubectl;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import picocli.CommandLine.Option;

import dev.sessionops.claude.api.v1alpha1.Durations;
import dev.sessionops.claude.api.v1alpha1.Effort;
import dev.sessionops.claude.api.v1alpha1.PermissionMode;
import dev.sessionops.claude.api.v1alpha1.RunSettings;

/**
 * {@code run}'s per-run options: one flag for each field of the CRD's {@link RunSettings}, checked here with the
 * rules the CRD's schema (and the operator) apply, so a bad value is refused before anything is created.
 */
final class RunFlags {
    /** Commas separate tools, except inside a pattern's parentheses ({@code Bash(git log:*)}). */
    private static final String TOOL_SPLIT = ",(?![^(]*\\))";
    static final String PERMISSION_MODES = String.join(", ",
            Arrays.stream(PermissionMode.values()).map(PermissionMode::cliValue).toList());
    static final String EFFORTS = String.join(", ", Arrays.stream(Effort.values()).map(Effort::cliValue).toList());

    @Option(names = "--model", paramLabel = "MODEL", description = "The model for this message.")
    String model;
    @Option(names = "--fallback-model", paramLabel = "MODEL", description = "The model to use when the first is overloaded.")
    String fallbackModel;
    @Option(names = "--permission-mode", paramLabel = "MODE",
            description = "acceptEdits, auto, bypassPermissions, manual, dontAsk or plan (default: the session's).")
    String permissionMode;
    @Option(names = "--allowed-tools", paramLabel = "TOOLS", split = TOOL_SPLIT, splitSynopsisLabel = ",",
            description = "Tools allowed without asking, e.g. Edit,\"Bash(git log:*)\" (comma-separated, repeatable).")
    List<String> allowedTools;
    @Option(names = "--disallowed-tools", paramLabel = "TOOLS", split = TOOL_SPLIT, splitSynopsisLabel = ",",
            description = "Tools never allowed (comma-separated, repeatable).")
    List<String> disallowedTools;
    @Option(names = "--max-turns", paramLabel = "N", description = "Stop after N agent turns (at least 1).")
    Integer maxTurns;
    @Option(names = "--max-budget-usd", paramLabel = "USD", description = "Stop once the run has cost this much (> 0).")
    Double maxBudgetUsd;
    @Option(names = "--system-prompt", paramLabel = "TEXT", description = "Replace the system prompt.")
    String systemPrompt;
    @Option(names = "--append-system-prompt", paramLabel = "TEXT", description = "Add to the system prompt.")
    String appendSystemPrompt;
    @Option(names = "--effort", paramLabel = "LEVEL", description = "low, medium, high, xhigh or max.")
    String effort;
    @Option(names = "--timeout", paramLabel = "DURATION", description = "The run's deadline, e.g. 90s, 30m, 1h30m.")
    String timeout;

    /**
     * Copies the flags given into {@code spec}, after checking every one.
     *
     * @throws CliException (usage) naming the first bad flag and what it accepts
     */
    void applyTo(RunSettings spec) {
        List<String> problems = problems();
        if (!problems.isEmpty()) {
            throw CliException.usage(problems.get(0));
        }
        spec.setModel(model);
        spec.setFallbackModel(fallbackModel);
        spec.setPermissionMode(permissionMode);
        spec.setAllowedTools(tools(allowedTools));
        spec.setDisallowedTools(tools(disallowedTools));
        spec.setMaxTurns(maxTurns);
        spec.setMaxBudgetUsd(maxBudgetUsd);
        spec.setSystemPrompt(systemPrompt);
        spec.setAppendSystemPrompt(appendSystemPrompt);
        spec.setEffort(effort);
        spec.setTimeout(timeout);
    }

    /** What is wrong with the flags given, one line each, in the order of the flags above. */
    List<String> problems() {
        List<String> problems = new ArrayList<>();
        if (permissionMode != null && PermissionMode.fromCli(permissionMode).isEmpty()) {
            problems.add("--permission-mode \"" + permissionMode + "\" is not one of " + PERMISSION_MODES);
        }
        checkTools("--allowed-tools", allowedTools, problems);
        checkTools("--disallowed-tools", disallowedTools, problems);
        if (maxTurns != null && maxTurns < 1) {
            problems.add("--max-turns must be at least 1, got " + maxTurns);
        }
        if (maxBudgetUsd != null && !(maxBudgetUsd > 0 && Double.isFinite(maxBudgetUsd))) {
            problems.add("--max-budget-usd must be a number greater than 0, got " + maxBudgetUsd);
        }
        if (effort != null && Effort.fromCli(effort).isEmpty()) {
            problems.add("--effort \"" + effort + "\" is not one of " + EFFORTS);
        }
        if (timeout != null) {
            try {
                Durations.parseSeconds(timeout);
            } catch (IllegalArgumentException e) {
                problems.add("--timeout: " + e.getMessage());
            }
        }
        return problems;
    }

    private static void checkTools(String flag, List<String> tools, List<String> problems) {
        if (tools != null && tools.stream().anyMatch(String::isBlank)) {
            problems.add(flag + " has an empty tool name");
        }
    }

    private static List<String> tools(List<String> given) {
        return given == null ? null : given.stream().map(String::strip).toList();
    }
}
