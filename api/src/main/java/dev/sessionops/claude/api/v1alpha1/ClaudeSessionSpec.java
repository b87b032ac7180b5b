package dev.sessionops.claude.api.v1alpha1;

import java.util.List;
import java.util.Map;

import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Toleration;

/** Defaults for every message of a session; a message may override the per-run ones. */
public class ClaudeSessionSpec extends RunSettings {
    /** The runner image; the operator's default when unset. */
    private String image;
    private KeyRef mcpConfig;
    private List<String> addDirs;
    private Credentials credentials;
    @ValidationRule(value = "self.all(e, !(e.name in " + Credentials.ENV_NAMES_CEL + ") || !has(e.value))",
            message = "credentials must come from a Secret (valueFrom.secretKeyRef or spec.credentials), not a plain value")
    private List<EnvVar> env;
    private Workspace workspace;
    private StateVolume state;
    private ResourceRequirements resources;
    private String serviceAccountName;
    private Map<String, String> nodeSelector;
    private List<Toleration> tolerations;
    private Map<String, String> podLabels;
    private Map<String, String> podAnnotations;
    /** While true, queued messages wait; a running one finishes. */
    private Boolean suspend;
    @Min(0)
    private Long ttlSecondsAfterIdle;
    /**
     * Starts a new conversation (a new Claude session in {@code status.sessionChain}) when set to a value the status
     * has not acknowledged yet ({@code status.conversationReset}): any token, e.g. the time it was asked for. For a
     * session whose state volume was lost ({@code ConversationStateLost}); the history in Redis stays.
     */
    @Size(max = 64)
    @Pattern("^[A-Za-z0-9._:+-]+$") // a token, e.g. an RFC 3339 time: it reaches the status, an Event and the log
    private String resetConversation;
    /**
     * What the conversation keeps of a failed turn: {@code skip} (the default) resumes the next turn at the last
     * succeeded one, so the model never sees the failed prompt again; {@code keep} resumes at the end, so the failed
     * prompt is sent again with the next one (the CLI merges them into one user turn).
     */
    @Pattern("^(skip|keep)$")
    private String onFailure;

    public String getImage() { return image; }
    public void setImage(String image) { this.image = image; }
    public KeyRef getMcpConfig() { return mcpConfig; }
    public void setMcpConfig(KeyRef mcpConfig) { this.mcpConfig = mcpConfig; }
    public List<String> getAddDirs() { return addDirs; }
    public void setAddDirs(List<String> addDirs) { this.addDirs = addDirs; }
    public Credentials getCredentials() { return credentials; }
    public void setCredentials(Credentials credentials) { this.credentials = credentials; }
    public List<EnvVar> getEnv() { return env; }
    public void setEnv(List<EnvVar> env) { this.env = env; }
    public Workspace getWorkspace() { return workspace; }
    public void setWorkspace(Workspace workspace) { this.workspace = workspace; }
    public StateVolume getState() { return state; }
    public void setState(StateVolume state) { this.state = state; }
    public ResourceRequirements getResources() { return resources; }
    public void setResources(ResourceRequirements resources) { this.resources = resources; }
    public String getServiceAccountName() { return serviceAccountName; }
    public void setServiceAccountName(String serviceAccountName) { this.serviceAccountName = serviceAccountName; }
    public Map<String, String> getNodeSelector() { return nodeSelector; }
    public void setNodeSelector(Map<String, String> nodeSelector) { this.nodeSelector = nodeSelector; }
    public List<Toleration> getTolerations() { return tolerations; }
    public void setTolerations(List<Toleration> tolerations) { this.tolerations = tolerations; }
    public Map<String, String> getPodLabels() { return podLabels; }
    public void setPodLabels(Map<String, String> podLabels) { this.podLabels = podLabels; }
    public Map<String, String> getPodAnnotations() { return podAnnotations; }
    public void setPodAnnotations(Map<String, String> podAnnotations) { this.podAnnotations = podAnnotations; }
    public Boolean getSuspend() { return suspend; }
    public void setSuspend(Boolean suspend) { this.suspend = suspend; }
    public String getOnFailure() { return onFailure; }
    public void setOnFailure(String onFailure) { this.onFailure = onFailure; }
    public String getResetConversation() { return resetConversation; }
    public void setResetConversation(String resetConversation) { this.resetConversation = resetConversation; }
    public Long getTtlSecondsAfterIdle() { return ttlSecondsAfterIdle; }
    public void setTtlSecondsAfterIdle(Long ttlSecondsAfterIdle) { this.ttlSecondsAfterIdle = ttlSecondsAfterIdle; }
}
