package dev.sessionops.claude.api.v1alpha1;

import java.util.List;

import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;

/**
 * The per-run options a session sets as defaults and a message (or its prompt file's front matter) may override.
 * Each maps to one flag of the CLI.
 */
public abstract class RunSettings {
    @Size(max = 256)
    private String model;
    @Size(max = 256)
    private String fallbackModel;
    /** One of {@link Effort}'s CLI values; a String so a bad value is reported, not a deserialization error. */
    @Pattern(Effort.PATTERN)
    private String effort;
    @Size(max = 65536)
    private String systemPrompt;
    @Size(max = 65536)
    private String appendSystemPrompt;
    @Size(max = 256)
    private List<String> allowedTools;
    @Size(max = 256)
    private List<String> disallowedTools;
    /** One of {@link PermissionMode}'s CLI values; a String so a bad value is reported, not a deserialization error. */
    @Pattern(PermissionMode.PATTERN)
    private String permissionMode;
    @Min(1)
    private Integer maxTurns;
    /** Per message: the CLI stops once it has spent this much ({@code --max-budget-usd}). */
    @Min(value = 0, inclusive = false)
    private Double maxBudgetUsd;
    /** The Job's deadline, a duration such as {@code 30m} or {@code 1h30m}. */
    @Pattern("^([0-9]+(ms|s|m|h))+$")
    private String timeout;

    public String getModel() { return model; }
    public void setModel(String model) { this.model = model; }
    public String getFallbackModel() { return fallbackModel; }
    public void setFallbackModel(String fallbackModel) { this.fallbackModel = fallbackModel; }
    public String getEffort() { return effort; }
    public void setEffort(String effort) { this.effort = effort; }
    public String getSystemPrompt() { return systemPrompt; }
    public void setSystemPrompt(String systemPrompt) { this.systemPrompt = systemPrompt; }
    public String getAppendSystemPrompt() { return appendSystemPrompt; }
    public void setAppendSystemPrompt(String appendSystemPrompt) { this.appendSystemPrompt = appendSystemPrompt; }
    public List<String> getAllowedTools() { return allowedTools; }
    public void setAllowedTools(List<String> allowedTools) { this.allowedTools = allowedTools; }
    public List<String> getDisallowedTools() { return disallowedTools; }
    public void setDisallowedTools(List<String> disallowedTools) { this.disallowedTools = disallowedTools; }
    public String getPermissionMode() { return permissionMode; }
    public void setPermissionMode(String permissionMode) { this.permissionMode = permissionMode; }
    public Integer getMaxTurns() { return maxTurns; }
    public void setMaxTurns(Integer maxTurns) { this.maxTurns = maxTurns; }
    public Double getMaxBudgetUsd() { return maxBudgetUsd; }
    public void setMaxBudgetUsd(Double maxBudgetUsd) { this.maxBudgetUsd = maxBudgetUsd; }
    public String getTimeout() { return timeout; }
    public void setTimeout(String timeout) { this.timeout = timeout; }
}
