package dev.sessionops.claude.api.v1alpha1;

import java.util.Map;

import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** One prompt. Without {@code sessionRef} it is a one-shot conversation of its own, run with the operator's defaults. */
@ValidationRule(value = "has(self.prompt) != has(self.promptFrom)", message = "exactly one of prompt or promptFrom is required")
public class ClaudeMessageSpec extends RunSettings {
    public static final int PROMPT_MAX_LENGTH = 131072;

    private NameRef sessionRef;
    /**
     * At most 128 Ki characters in the manifest; a longer prompt comes from a ConfigMap ({@code promptFrom}) or from
     * variables, up to the operator's cap on the rendered prompt ({@code cso.limits.max-prompt-bytes}).
     */
    @Size(max = ClaudeMessageSpec.PROMPT_MAX_LENGTH)
    private String prompt;
    private PromptSource promptFrom;
    /** Values for {@code {name}} placeholders in the prompt (the rendered prompt is capped by the operator). */
    @Size(max = 256)
    private Map<String, String> variables;
    /** True: do not run it. A message that has not started ends Cancelled (its session moves on). */
    private Boolean cancel;

    public NameRef getSessionRef() { return sessionRef; }
    public void setSessionRef(NameRef sessionRef) { this.sessionRef = sessionRef; }
    public String getPrompt() { return prompt; }
    public void setPrompt(String prompt) { this.prompt = prompt; }
    public PromptSource getPromptFrom() { return promptFrom; }
    public void setPromptFrom(PromptSource promptFrom) { this.promptFrom = promptFrom; }
    public Boolean getCancel() { return cancel; }
    public void setCancel(Boolean cancel) { this.cancel = cancel; }
    public Map<String, String> getVariables() { return variables; }
    public void setVariables(Map<String, String> variables) { this.variables = variables; }
}
