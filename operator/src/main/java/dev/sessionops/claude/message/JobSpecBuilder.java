package dev.sessionops.claude.message;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.sessionops.claude.gateway.RunAccess;
import dev.sessionops.claude.history.ResumePoint;

import dev.sessionops.claude.api.runner.JobNames;
import dev.sessionops.claude.api.runner.Labels;
import dev.sessionops.claude.cli.ClaudeCommand;
import dev.sessionops.claude.api.runner.PodLayout;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;

/**
 * Writes a message's batch/v1 Job: one try ({@code backoffLimit: 0}, {@code restartPolicy: Never}), Pod Security
 * "restricted", no service-account token, the claude exec array in {@code /workspace} with the prompt's ConfigMap
 * ({@link PromptConfigMap}) mounted read-only as its standard input, the CLI's config dir on the session's state
 * volume, and credentials only through secretKeyRefs.
 */
public final class JobSpecBuilder {
    public static final String RESUMED_FROM_ANNOTATION = "claude.sessionops.dev/resumed-from";
    public static final String SESSION_ANNOTATION = "claude.sessionops.dev/session";

    public static final String COMPONENT = "claude-run";
    static final String STATE_VOLUME = "state";
    static final String WORKSPACE_VOLUME = "workspace";
    static final String MCP_VOLUME = "mcp-config";
    static final String PROMPT_VOLUME = "prompt";
    private static final String MCP_FILE = PodLayout.MCP_CONFIG.substring(PodLayout.MCP_CONFIG_DIR.length() + 1);
    private static final String PROMPT_FILE = PodLayout.PROMPT_FILE.substring(PodLayout.PROMPT_DIR.length() + 1);

    private JobSpecBuilder() {
    }

    public static Job build(JobPlan plan) {
        Map<String, String> labels = labels(plan);
        Map<String, String> podLabels = new LinkedHashMap<>(plan.podLabels());
        podLabels.putAll(labels); // ours win: selectors and the operator rely on them
        return new JobBuilder()
                .withNewMetadata()
                    .withName(plan.jobName())
                    .withNamespace(plan.namespace())
                    .withLabels(labels)
                    .withAnnotations(annotations(plan))
                    .withOwnerReferences(plan.owner().reference())
                .endMetadata()
                .withNewSpec()
                    .withBackoffLimit(0)
                    .withActiveDeadlineSeconds(plan.activeDeadlineSeconds())
                    .withTtlSecondsAfterFinished(plan.ttlSecondsAfterFinished())
                    .withNewTemplate()
                        .withNewMetadata()
                            .withLabels(podLabels)
                            .withAnnotations(plan.podAnnotations().isEmpty() ? null : new LinkedHashMap<>(plan.podAnnotations()))
                        .endMetadata()
                        .withSpec(podSpec(plan))
                    .endTemplate()
                .endSpec()
                .build();
    }

    /**
     * The Job that runs a planned message, resuming at {@code resume} (null: a new conversation); the annotation
     * lets a status write lost after the create be rebuilt from the Job.
     */
    public static Job forRun(RunPlanner.PlannedRun plan, ResumePoint resume) {
        Job job = build(plan.resuming(resume));
        if (plan.gateway() != null) {
            throughGateway(job, plan.gateway());
        }
        if (resume != null && resume.sessionId() != null) {
            job.getMetadata().getAnnotations().put(RESUMED_FROM_ANNOTATION, resume.sessionId());
        }
        return job;
    }

    /** What the gateway sets for the CLI; a session's own values of these would go around it. */
    static final List<String> GATEWAY_OWNED = List.of(RunAccess.BASE_URL_ENV, RunAccess.TOKEN_ENV, "ANTHROPIC_AUTH_TOKEN",
            "CLAUDE_CODE_OAUTH_TOKEN");

    /**
     * With the credential gateway the CLI reaches the model API only through it, with the run's own token: no key,
     * and no way round it, in the pod.
     */
    static void throughGateway(Job job, RunAccess access) {
        Container claude = job.getSpec().getTemplate().getSpec().getContainers().stream()
                .filter(c -> PodLayout.CONTAINER.equals(c.getName())).findFirst().orElseThrow();
        List<EnvVar> env = new ArrayList<>(EnvVars.without(claude.getEnv(), GATEWAY_OWNED));
        env.add(plain(RunAccess.BASE_URL_ENV, access.baseUrl()));
        env.add(plain(RunAccess.TOKEN_ENV, access.token()));
        claude.setEnv(env);
    }

    /** The full session name (labels may be shortened): how the session reconciler finds its Jobs. */
    private static Map<String, String> annotations(JobPlan plan) {
        Map<String, String> annotations = new LinkedHashMap<>();
        if (plan.sessionName() != null) {
            annotations.put(SESSION_ANNOTATION, plan.sessionName());
        }
        return annotations;
    }

    static Map<String, String> labels(JobPlan plan) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(Labels.NAME, Labels.OPERATOR);
        labels.put(Labels.COMPONENT, COMPONENT);
        labels.put(Labels.MANAGED_BY, Labels.OPERATOR);
        if (plan.sessionName() != null) {
            labels.put(Labels.SESSION, JobNames.labelValue(plan.sessionName()));
        }
        labels.put(Labels.MESSAGE, JobNames.labelValue(plan.messageName()));
        return labels;
    }

    /** The pod's terminationGracePeriodSeconds: the window a stopped run has to end gracefully. */
    static final long STOP_GRACE_SECONDS = 30;

    private static PodSpec podSpec(JobPlan plan) {
        List<VolumeMount> workspaceMounts = workspaceMounts(plan);
        PodSpecBuilder pod = new PodSpecBuilder()
                .withRestartPolicy("Never")
                // a stop (cancel, deadline, drain) is SIGTERM to the container's shell, SIGINT to the CLI, which ends
                // its turn and prints its result within a couple of seconds; this is how long it may take
                .withTerminationGracePeriodSeconds(STOP_GRACE_SECONDS)
                .withAutomountServiceAccountToken(false)
                .withServiceAccountName(plan.serviceAccountName())
                .withSecurityContext(RestrictedSecurity.pod())
                .withNodeSelector(plan.nodeSelector().isEmpty() ? null : new LinkedHashMap<>(plan.nodeSelector()))
                .withTolerations(plan.tolerations().stream().map(t -> new TolerationBuilder(t).build()).toList())
                .withContainers(claudeContainer(plan, workspaceMounts))
                .withVolumes(volumes(plan));
        if (plan.git() != null) {
            List<EnvVar> baseEnv = EnvVars.without(plan.env(), GitInit.ownNames());
            pod.withInitContainers(GitInit.container(plan, baseEnv, workspaceMounts));
        }
        return pod.build();
    }

    private static Container claudeContainer(JobPlan plan, List<VolumeMount> workspaceMounts) {
        List<VolumeMount> mounts = new ArrayList<>(workspaceMounts);
        mounts.add(new VolumeMountBuilder().withName(PROMPT_VOLUME).withMountPath(PodLayout.PROMPT_DIR).withReadOnly(true)
                .build());
        if (plan.mcpConfig() != null) {
            mounts.add(new VolumeMountBuilder().withName(MCP_VOLUME).withMountPath(PodLayout.MCP_CONFIG_DIR)
                    .withReadOnly(true).build());
        }
        return new ContainerBuilder()
                .withName(PodLayout.CONTAINER)
                .withImage(plan.image())
                .withCommand(escapeExpansion(ClaudeCommand.interruptible(PodLayout.PROMPT_FILE, plan.command())))
                .withWorkingDir(PodLayout.WORKSPACE)
                .withEnv(claudeEnv(plan))
                .withVolumeMounts(mounts)
                .withResources(plan.resources())
                .withSecurityContext(RestrictedSecurity.container())
                .build();
    }

    private static List<EnvVar> claudeEnv(JobPlan plan) {
        Map<String, EnvVar> own = new LinkedHashMap<>();
        if (plan.credentials() != null) {
            for (String key : plan.credentials().keys()) {
                own.put(key, EnvVars.fromSecret(key, plan.credentials().secretName(), key, false));
            }
        }
        own.put("CLAUDE_CONFIG_DIR", plain("CLAUDE_CONFIG_DIR", PodLayout.CONFIG_DIR));
        own.put("HOME", plain("HOME", PodLayout.HOME));
        own.put("DISABLE_AUTOUPDATER", plain("DISABLE_AUTOUPDATER", "1"));
        List<EnvVar> env = new ArrayList<>(EnvVars.without(plan.env(), own.keySet()));
        env.addAll(own.values());
        return env;
    }

    /** The state volume at its mount, and the workspace at {@code /workspace}: the user's claim or the state volume. */
    private static List<VolumeMount> workspaceMounts(JobPlan plan) {
        VolumeMount state = new VolumeMountBuilder().withName(STATE_VOLUME).withMountPath(PodLayout.STATE_MOUNT).build();
        VolumeMountBuilder workspace = new VolumeMountBuilder().withMountPath(PodLayout.WORKSPACE);
        if (plan.volumeClaim() != null) {
            String subPath = plan.volumeClaim().getSubPath();
            workspace.withName(WORKSPACE_VOLUME).withSubPath(subPath == null || subPath.isBlank() ? null : subPath);
        } else {
            workspace.withName(STATE_VOLUME).withSubPath(PodLayout.WORKSPACE_SUBPATH);
        }
        return List.of(state, workspace.build());
    }

    private static List<Volume> volumes(JobPlan plan) {
        List<Volume> volumes = new ArrayList<>();
        // A one-shot message has no session and so no state to keep: its state lives as long as its pod.
        volumes.add(plan.stateClaimName() == null
                ? new VolumeBuilder().withName(STATE_VOLUME).withNewEmptyDir().endEmptyDir().build()
                : new VolumeBuilder().withName(STATE_VOLUME)
                        .withNewPersistentVolumeClaim().withClaimName(plan.stateClaimName()).endPersistentVolumeClaim()
                        .build());
        if (plan.volumeClaim() != null) {
            volumes.add(new VolumeBuilder().withName(WORKSPACE_VOLUME)
                    .withNewPersistentVolumeClaim().withClaimName(plan.volumeClaim().getClaimName())
                    .endPersistentVolumeClaim()
                    .build());
        }
        volumes.add(new VolumeBuilder().withName(PROMPT_VOLUME)
                .withNewConfigMap()
                    .withName(PromptConfigMap.name(plan.jobName(), plan.prompt()))
                    .addNewItem().withKey(PromptConfigMap.KEY).withPath(PROMPT_FILE).endItem()
                    .withDefaultMode(0444)
                .endConfigMap()
                .build());
        if (plan.mcpConfig() != null) {
            volumes.add(new VolumeBuilder().withName(MCP_VOLUME)
                    .withNewConfigMap()
                        .withName(plan.mcpConfig().getName())
                        .addNewItem().withKey(plan.mcpConfig().getKey()).withPath(MCP_FILE).endItem()
                    .endConfigMap()
                    .build());
        }
        return volumes;
    }

    private static EnvVar plain(String name, String value) {
        return new EnvVarBuilder().withName(name).withValue(value).build();
    }

    /**
     * The kubelet expands {@code $(VAR)} in command and args: a prompt mentioning {@code $(ANTHROPIC_API_KEY)} would
     * otherwise receive the key. The kubelet turns every {@code $$} into {@code $}, so doubling each dollar leaves
     * the text exactly as written.
     */
    static List<String> escapeExpansion(List<String> argv) {
        return argv.stream().map(a -> a.replace("$", "$$")).toList();
    }

    /** The name of the prompt's ConfigMap the Job mounts; empty for a Job made before prompts went by file. */
    public static Optional<String> promptConfigMapName(Job job) {
        List<Volume> volumes = job.getSpec().getTemplate().getSpec().getVolumes();
        return volumes == null ? Optional.empty() : volumes.stream()
                .filter(v -> PROMPT_VOLUME.equals(v.getName()) && v.getConfigMap() != null)
                .map(v -> v.getConfigMap().getName()).findFirst();
    }

    /** The CLI's exec array as the container runs it, from the Job's (escaped, interruptible) command. */
    /** The Secret the run's credentials come from, as its Job says (empty: none, e.g. through a gateway). */
    static java.util.Optional<String> credentialsSecretOf(Job job) {
        return job.getSpec().getTemplate().getSpec().getContainers().stream()
                .filter(c -> PodLayout.CONTAINER.equals(c.getName()) && c.getEnv() != null)
                .flatMap(c -> c.getEnv().stream())
                .filter(e -> dev.sessionops.claude.api.v1alpha1.Credentials.SECRET_KEYS.contains(e.getName())
                        && e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null)
                .map(e -> e.getValueFrom().getSecretKeyRef().getName()).findFirst();
    }

    public static List<String> commandAsRun(Job job) {
        return ClaudeCommand.unwrap(job.getSpec().getTemplate().getSpec().getContainers().stream()
                .filter(c -> PodLayout.CONTAINER.equals(c.getName())).findFirst().orElseThrow()
                .getCommand().stream().map(a -> a.replace("$$", "$")).toList());
    }
}
