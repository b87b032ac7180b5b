package dev.sessionops.claude.cli;

import java.util.List;
import java.util.Objects;

/**
 * The options of one {@code claude -p} run, in the CLI's own spelling (no Kubernetes types). A null (or blank)
 * value means "not set": the flag is left out and the CLI's default applies.
 *
 * @param prompt the user prompt; always passed, also when resuming
 * @param resumeSessionId the Claude session to continue ({@code --resume})
 * @param resumeAt with it, the uuid of the last assistant event to continue from ({@code --resume-session-at}):
 *        what followed in the transcript (a failed turn's prompt) is left out
 * @param effort {@code low}, {@code medium}, {@code high}, {@code xhigh} or {@code max}
 * @param permissionMode e.g. {@code acceptEdits}, {@code dontAsk}, {@code plan}
 * @param allowedTools tool rules, one per entry, e.g. {@code Bash(npm run test:*)}
 * @param mcpConfigPath path of an MCP config JSON file inside the container
 */
public record RunOptions(
        String prompt,
        String resumeSessionId,
        String resumeAt,
        String model,
        String fallbackModel,
        String effort,
        String systemPrompt,
        String appendSystemPrompt,
        List<String> allowedTools,
        List<String> disallowedTools,
        String permissionMode,
        Integer maxTurns,
        Double maxBudgetUsd,
        String mcpConfigPath,
        List<String> addDirs,
        List<String> settingSources) {

    public RunOptions {
        Objects.requireNonNull(prompt, "prompt");
        allowedTools = copy(allowedTools);
        disallowedTools = copy(disallowedTools);
        addDirs = copy(addDirs);
        settingSources = copy(settingSources);
    }

    public static Builder builder(String prompt) {
        return new Builder().prompt(prompt);
    }

    public Builder toBuilder() {
        return new Builder().prompt(prompt).resumeSessionId(resumeSessionId).resumeAt(resumeAt).model(model)
                .fallbackModel(fallbackModel).effort(effort).systemPrompt(systemPrompt)
                .appendSystemPrompt(appendSystemPrompt).allowedTools(allowedTools).disallowedTools(disallowedTools)
                .permissionMode(permissionMode).maxTurns(maxTurns).maxBudgetUsd(maxBudgetUsd)
                .mcpConfigPath(mcpConfigPath).addDirs(addDirs).settingSources(settingSources);
    }

    /** An unmodifiable copy without null entries (a YAML list may hold {@code ~}). */
    private static List<String> copy(List<String> list) {
        return list == null ? null : list.stream().filter(Objects::nonNull).toList();
    }

    /** Mutable builder; {@link #build()} makes the immutable record. */
    public static final class Builder {
        private String prompt;
        private String resumeSessionId;
        private String resumeAt;
        private String model;
        private String fallbackModel;
        private String effort;
        private String systemPrompt;
        private String appendSystemPrompt;
        private List<String> allowedTools;
        private List<String> disallowedTools;
        private String permissionMode;
        private Integer maxTurns;
        private Double maxBudgetUsd;
        private String mcpConfigPath;
        private List<String> addDirs;
        private List<String> settingSources;

        private Builder() {
        }

        public Builder prompt(String v) { prompt = v; return this; }
        public Builder resumeSessionId(String v) { resumeSessionId = v; return this; }
        public Builder resumeAt(String v) { resumeAt = v; return this; }
        public Builder model(String v) { model = v; return this; }
        public Builder fallbackModel(String v) { fallbackModel = v; return this; }
        public Builder effort(String v) { effort = v; return this; }
        public Builder systemPrompt(String v) { systemPrompt = v; return this; }
        public Builder appendSystemPrompt(String v) { appendSystemPrompt = v; return this; }
        public Builder allowedTools(List<String> v) { allowedTools = v; return this; }
        public Builder disallowedTools(List<String> v) { disallowedTools = v; return this; }
        public Builder permissionMode(String v) { permissionMode = v; return this; }
        public Builder maxTurns(Integer v) { maxTurns = v; return this; }
        public Builder maxBudgetUsd(Double v) { maxBudgetUsd = v; return this; }
        public Builder mcpConfigPath(String v) { mcpConfigPath = v; return this; }
        public Builder addDirs(List<String> v) { addDirs = v; return this; }
        public Builder settingSources(List<String> v) { settingSources = v; return this; }

        public RunOptions build() {
            return new RunOptions(prompt, resumeSessionId, resumeAt, model, fallbackModel, effort, systemPrompt,
                    appendSystemPrompt, allowedTools, disallowedTools, permissionMode, maxTurns, maxBudgetUsd,
                    mcpConfigPath, addDirs, settingSources);
        }
    }
}
