package dev.sessionops.claude.message;

import java.util.List;
import java.util.Map;
import java.util.Objects;

import dev.sessionops.claude.api.v1alpha1.GitWorkspace;
import dev.sessionops.claude.api.v1alpha1.Credentials;
import dev.sessionops.claude.api.v1alpha1.KeyRef;
import dev.sessionops.claude.api.v1alpha1.VolumeClaimWorkspace;
import dev.sessionops.claude.api.runner.PodLayout;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Toleration;

/**
 * Everything {@link JobSpecBuilder} needs to write one message's Job, already resolved and validated by the caller.
 *
 * @param owner                   the ClaudeMessage; the Job's controller owner
 * @param sessionName             null for a one-shot message
 * @param command                 the CLI's exec array (the container's shell runs it)
 * @param prompt                  the rendered prompt: into the run's ConfigMap ({@link PromptConfigMap}), the CLI's stdin
 * @param env                     the user's and operator's env, already validated (no plain credential values)
 * @param credentials             the Secret and which credential keys it has; null for none
 * @param git                     a git workspace cloned on first use, or null
 * @param volumeClaim             the user's claim mounted as the workspace, or null (then the state volume holds it)
 * @param mcpConfig               a ConfigMap key mounted at {@link PodLayout#MCP_CONFIG}, or null
 * @param activeDeadlineSeconds   the Job's deadline, or null for none
 * @param ttlSecondsAfterFinished how long the finished Job is kept, or null to keep it
 */
public record JobPlan(
        Owner owner,
        String namespace,
        String messageName,
        String sessionName,
        String jobName,
        String image,
        List<String> command,
        String prompt,
        List<EnvVar> env,
        CredentialsRef credentials,
        String stateClaimName,
        GitWorkspace git,
        VolumeClaimWorkspace volumeClaim,
        KeyRef mcpConfig,
        ResourceRequirements resources,
        Long activeDeadlineSeconds,
        Integer ttlSecondsAfterFinished,
        String serviceAccountName,
        Map<String, String> nodeSelector,
        List<Toleration> tolerations,
        Map<String, String> podLabels,
        Map<String, String> podAnnotations) {

    public JobPlan {
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(messageName, "messageName");
        Objects.requireNonNull(jobName, "jobName");
        Objects.requireNonNull(image, "image");
        if (command == null || command.isEmpty()) {
            throw new IllegalArgumentException("command must not be empty");
        }
        if (prompt == null || prompt.isBlank()) {
            throw new IllegalArgumentException("prompt must not be blank");
        }
        if (git != null && volumeClaim != null) {
            throw new IllegalArgumentException("workspace takes git or volumeClaim, not both");
        }
        if (git != null && (git.getRepository() == null || git.getRepository().isBlank())) {
            throw new IllegalArgumentException("git workspace needs a repository");
        }
        if (activeDeadlineSeconds != null && activeDeadlineSeconds <= 0) {
            throw new IllegalArgumentException("activeDeadlineSeconds must be positive");
        }
        command = List.copyOf(command);
        env = env == null ? List.of() : List.copyOf(env);
        for (EnvVar e : env) {
            // defense in depth: the CRD's CEL rule already forbids this
            if (Credentials.ENV_NAMES.contains(e.getName()) && e.getValue() != null) {
                throw new IllegalArgumentException(e.getName() + " must come from a Secret, not a plain value");
            }
        }
        nodeSelector = nodeSelector == null ? Map.of() : Map.copyOf(nodeSelector);
        tolerations = tolerations == null ? List.of() : List.copyOf(tolerations);
        podLabels = podLabels == null ? Map.of() : Map.copyOf(podLabels);
        podAnnotations = podAnnotations == null ? Map.of() : Map.copyOf(podAnnotations);
    }

    /** The positional form {@code RunPlanner} uses: owner fields and credentials flat; the message is the owner. */
    public JobPlan(String apiVersion, String kind, String messageName, String messageUid, String namespace,
            String sessionName, String jobName, String image, List<String> command, String prompt, List<EnvVar> env,
            String credentialsSecretName, List<String> credentialKeys, String stateClaimName, GitWorkspace git,
            VolumeClaimWorkspace volumeClaim, KeyRef mcpConfig, ResourceRequirements resources,
            Long activeDeadlineSeconds, Integer ttlSecondsAfterFinished, String serviceAccountName,
            Map<String, String> nodeSelector, List<Toleration> tolerations, Map<String, String> podLabels,
            Map<String, String> podAnnotations) {
        this(new Owner(apiVersion, kind, messageName, messageUid), namespace, messageName, sessionName, jobName, image,
                command, prompt, env,
                credentialsSecretName == null ? null
                        : new CredentialsRef(credentialsSecretName, credentialKeys == null ? List.of() : credentialKeys),
                stateClaimName, git, volumeClaim, mcpConfig, resources, activeDeadlineSeconds, ttlSecondsAfterFinished,
                serviceAccountName, nodeSelector, tolerations, podLabels, podAnnotations);
    }

    /** The same Job with another command (the resume id is known only once the message reaches the queue's head). */
    public JobPlan withCommand(List<String> newCommand) {
        return new JobPlan(owner, namespace, messageName, sessionName, jobName, image, newCommand, prompt, env, credentials,
                stateClaimName, git, volumeClaim, mcpConfig, resources, activeDeadlineSeconds, ttlSecondsAfterFinished,
                serviceAccountName, nodeSelector, tolerations, podLabels, podAnnotations);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The owning object, for the Job's controller ownerReference. */
    public record Owner(String apiVersion, String kind, String name, String uid) {
        /** The controller reference of what the run's message owns (its Job, its prompt ConfigMap). */
        public io.fabric8.kubernetes.api.model.OwnerReference reference() {
            return new io.fabric8.kubernetes.api.model.OwnerReferenceBuilder().withApiVersion(apiVersion).withKind(kind)
                    .withName(name).withUid(uid).withController(true).withBlockOwnerDeletion(true).build();
        }

        public Owner {
            Objects.requireNonNull(apiVersion, "apiVersion");
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(uid, "uid");
        }

        public static Owner of(HasMetadata resource) {
            return new Owner(resource.getApiVersion(), resource.getKind(), resource.getMetadata().getName(),
                    resource.getMetadata().getUid());
        }
    }

    /**
     * The credentials Secret and the keys of {@link #KEYS} it holds; each becomes a same-named env var through a
     * secretKeyRef.
     */
    public record CredentialsRef(String secretName, List<String> keys) {
        public static final List<String> KEYS = Credentials.SECRET_KEYS;

        public CredentialsRef {
            Objects.requireNonNull(secretName, "secretName");
            keys = List.copyOf(keys);
            for (String key : keys) {
                if (!KEYS.contains(key)) {
                    throw new IllegalArgumentException("not a credential key: " + key + " (expected one of " + KEYS + ")");
                }
            }
        }
    }

    /** Fluent construction; unset fields are null (or empty). */
    public static final class Builder {
        private Owner owner;
        private String namespace;
        private String messageName;
        private String sessionName;
        private String jobName;
        private String image;
        private List<String> command;
        private String prompt;
        private List<EnvVar> env;
        private CredentialsRef credentials;
        private String stateClaimName;
        private GitWorkspace git;
        private VolumeClaimWorkspace volumeClaim;
        private KeyRef mcpConfig;
        private ResourceRequirements resources;
        private Long activeDeadlineSeconds;
        private Integer ttlSecondsAfterFinished;
        private String serviceAccountName;
        private Map<String, String> nodeSelector;
        private List<Toleration> tolerations;
        private Map<String, String> podLabels;
        private Map<String, String> podAnnotations;

        private Builder() {
        }

        public Builder owner(Owner v) { owner = v; return this; }
        public Builder namespace(String v) { namespace = v; return this; }
        public Builder messageName(String v) { messageName = v; return this; }
        public Builder sessionName(String v) { sessionName = v; return this; }
        public Builder jobName(String v) { jobName = v; return this; }
        public Builder image(String v) { image = v; return this; }
        public Builder command(List<String> v) { command = v; return this; }
        public Builder prompt(String v) { prompt = v; return this; }
        public Builder env(List<EnvVar> v) { env = v; return this; }
        public Builder credentials(CredentialsRef v) { credentials = v; return this; }
        public Builder stateClaimName(String v) { stateClaimName = v; return this; }
        public Builder git(GitWorkspace v) { git = v; return this; }
        public Builder volumeClaim(VolumeClaimWorkspace v) { volumeClaim = v; return this; }
        public Builder mcpConfig(KeyRef v) { mcpConfig = v; return this; }
        public Builder resources(ResourceRequirements v) { resources = v; return this; }
        public Builder activeDeadlineSeconds(Long v) { activeDeadlineSeconds = v; return this; }
        public Builder ttlSecondsAfterFinished(Integer v) { ttlSecondsAfterFinished = v; return this; }
        public Builder serviceAccountName(String v) { serviceAccountName = v; return this; }
        public Builder nodeSelector(Map<String, String> v) { nodeSelector = v; return this; }
        public Builder tolerations(List<Toleration> v) { tolerations = v; return this; }
        public Builder podLabels(Map<String, String> v) { podLabels = v; return this; }
        public Builder podAnnotations(Map<String, String> v) { podAnnotations = v; return this; }

        public JobPlan build() {
            return new JobPlan(owner, namespace, messageName, sessionName, jobName, image, command, prompt, env, credentials,
                    stateClaimName, git, volumeClaim, mcpConfig, resources, activeDeadlineSeconds,
                    ttlSecondsAfterFinished, serviceAccountName, nodeSelector, tolerations, podLabels, podAnnotations);
        }
    }
}
