package dev.sessionops.claude.message;

import dev.sessionops.claude.limits.NamespaceLimits;
import dev.sessionops.claude.limits.NamespaceLimitsSource;
import dev.sessionops.claude.api.prompt.FrontMatterSettings;
import dev.sessionops.claude.api.prompt.PromptException;
import dev.sessionops.claude.api.prompt.PromptFile;
import dev.sessionops.claude.api.prompt.PromptTemplate;
import dev.sessionops.claude.api.runner.JobNames;
import dev.sessionops.claude.api.runner.Labels;

import dev.sessionops.claude.api.v1alpha1.Durations;
import dev.sessionops.claude.api.runner.PodLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import dev.sessionops.claude.OperatorConfig;
import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.api.v1alpha1.Credentials;
import dev.sessionops.claude.api.v1alpha1.ClaudeMessageSpec;
import dev.sessionops.claude.api.v1alpha1.ClaudeSession;
import dev.sessionops.claude.api.v1alpha1.ClaudeSessionSpec;
import dev.sessionops.claude.api.v1alpha1.Effort;
import dev.sessionops.claude.api.v1alpha1.KeyRef;
import dev.sessionops.claude.api.v1alpha1.PermissionMode;
import dev.sessionops.claude.api.v1alpha1.RunSettings;
import dev.sessionops.claude.cli.ClaudeCommand;
import dev.sessionops.claude.cli.RunOptions;
import dev.sessionops.claude.history.ResumePoint;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.client.KubernetesClient;
import dev.sessionops.claude.gateway.Gateway;
import dev.sessionops.claude.gateway.RunAccess;
import jakarta.inject.Inject;

/**
 * Turns a message (and its session, if any) into everything its Job needs, or says precisely why it cannot run.
 * The only I/O is reading the referenced ConfigMaps and the workspace claim; Secrets are never read (the kubelet
 * resolves them, with the pod's rights).
 */
@ApplicationScoped
public class RunPlanner {

    private final KubernetesClient client;
    private final OperatorConfig config;
    private final NamespaceGuard namespaces;
    private final EnvPolicy envPolicy;
    private final RunPolicy policy;
    private final NamespaceLimitsSource namespaceLimits;
    /** The credential gateway; null (the tests' planners) or off: runs get their credentials Secret. */
    private final Gateway gateway;
    private final int maxPromptBytes;

    public RunPlanner(KubernetesClient client, OperatorConfig config) {
        this(client, config, new NamespaceLimitsSource(client), null);
    }

    public RunPlanner(KubernetesClient client, OperatorConfig config, NamespaceLimitsSource namespaceLimits) {
        this(client, config, namespaceLimits, null);
    }

    @Inject
    public RunPlanner(KubernetesClient client, OperatorConfig config, NamespaceLimitsSource namespaceLimits, Gateway gateway) {
        this.gateway = gateway;
        this.client = client;
        this.config = config;
        this.maxPromptBytes = PromptTemplate.checkCap(config.limits().maxPromptBytes()); // a bad cap fails the start
        this.namespaces = NamespaceGuard.of(config);
        this.envPolicy = EnvPolicy.allowing(config.policy().allowedEnv());
        this.policy = RunPolicy.of(config.policy());
        this.namespaceLimits = namespaceLimits;
    }

    /**
     * What the operator resolved for one run, before it knows which Claude session the run resumes; {@code gateway}
     * is how it reaches the model API when the credential gateway is on (null: through its credentials Secret).
     */
    public record PlannedRun(JobPlan job, RunOptions options, RunAccess gateway) {
        public PlannedRun(JobPlan job, RunOptions options) {
            this(job, options, null);
        }

        /** The Job that resumes at {@code resume} (null: a new conversation). */
        public JobPlan resuming(ResumePoint resume) {
            return job.withCommand(ClaudeCommand.argv(options.toBuilder()
                    .resumeSessionId(resume == null ? null : resume.sessionId())
                    .resumeAt(resume == null ? null : resume.atUuid()).build()));
        }
    }

    /**
     * Validates and resolves everything a message needs, so bad input is reported as soon as the message is seen,
     * not only when it reaches the head of its session's queue.
     */
    /** Where no run may be made (shared with the session reconciler, which makes no state volume there either). */
    public NamespaceGuard namespaces() {
        return namespaces;
    }

    public PlannedRun plan(ClaudeMessage message, ClaudeSession session) throws MessageProblem {
        String namespace = message.getMetadata().getNamespace();
        Optional<String> refused = namespaces.refusal(namespace);
        if (refused.isPresent()) {
            throw MessageProblem.invalid(Reasons.NAMESPACE_REFUSED, refused.get());
        }
        ClaudeMessageSpec spec = message.getSpec();
        ClaudeSessionSpec sessionSpec = session == null ? new ClaudeSessionSpec() : session.getSpec();

        PromptFile promptFile = readPrompt(namespace, spec);
        if (promptFile.sessionRequired() && spec.getSessionRef() == null) {
            throw MessageProblem.invalid(PromptException.SESSION_REQUIRED,
                    "the prompt file requires a session (session.required: true) but the message has no sessionRef");
        }
        String prompt;
        try {
            prompt = PromptTemplate.render(promptFile.body(), variables(promptFile, spec), maxPromptBytes);
        } catch (PromptException e) {
            throw MessageProblem.invalid(e.reason(), e.getMessage());
        }
        if (prompt.isBlank()) {
            throw MessageProblem.invalid(Reasons.PROMPT_MISSING, "the prompt is empty");
        }

        RunSettings effective = checkedSettings(namespace, sessionSpec, session != null, promptFile.settings(), spec);
        List<EnvVar> env = env(sessionSpec);
        boolean viaGateway = gateway != null && gateway.enabled();
        // with the gateway the key stays with the operator: no credentials Secret reaches the pod
        String secretName = viaGateway ? null : sessionSpec.getCredentials() != null
                ? sessionSpec.getCredentials().getSecretRef().getName() : config.defaults().credentialsSecret().orElse(null);
        List<String> credentialKeys = viaGateway ? requireGatewayKey(namespace) : credentialKeys(sessionSpec, secretName);
        KeyRef mcpConfig = sessionSpec.getMcpConfig();
        if (mcpConfig != null) {
            requireConfigMapKey(namespace, mcpConfig);
        }
        if (sessionSpec.getWorkspace() != null && sessionSpec.getWorkspace().getVolumeClaim() != null) {
            requireWorkspaceClaim(namespace, sessionSpec.getWorkspace().getVolumeClaim().getClaimName());
        }

        RunOptions options = new RunOptions(prompt, null, null, effective.getModel(), effective.getFallbackModel(),
                effective.getEffort(), effective.getSystemPrompt(), effective.getAppendSystemPrompt(),
                effective.getAllowedTools(), effective.getDisallowedTools(), effective.getPermissionMode(),
                effective.getMaxTurns(), effective.getMaxBudgetUsd(),
                mcpConfig == null ? null : PodLayout.MCP_CONFIG, sessionSpec.getAddDirs(),
                config.policy().settingSources().orElse(List.of()));

        String sessionName = session == null ? null : session.getMetadata().getName();
        JobPlan job = new JobPlan(
                message.getApiVersion(), message.getKind(), message.getMetadata().getName(), message.getMetadata().getUid(),
                namespace, sessionName,
                JobNames.forMessage(message.getMetadata().getName(), message.getMetadata().getUid()),
                sessionSpec.getImage() != null ? sessionSpec.getImage() : config.defaults().image(),
                ClaudeCommand.argv(options), prompt, env, secretName, credentialKeys,
                sessionName == null ? null : JobNames.stateClaim(sessionName),
                sessionSpec.getWorkspace() == null ? null : sessionSpec.getWorkspace().getGit(),
                sessionSpec.getWorkspace() == null ? null : sessionSpec.getWorkspace().getVolumeClaim(),
                mcpConfig, resources(sessionSpec), Durations.parseSeconds(effective.getTimeout()),
                config.job().ttlSecondsAfterFinished(),
                sessionSpec.getServiceAccountName() != null ? sessionSpec.getServiceAccountName()
                        : config.defaults().serviceAccountName().orElse(null),
                sessionSpec.getNodeSelector(), sessionSpec.getTolerations(), sessionSpec.getPodLabels(),
                sessionSpec.getPodAnnotations());
        Long timeout = Durations.parseSeconds(effective.getTimeout());
        RunAccess access = viaGateway ? gateway.access(namespace, message.getMetadata().getName(),
                message.getMetadata().getUid(), timeout == null ? null : java.time.Duration.ofSeconds(timeout)) : null;
        return new PlannedRun(job, options, access);
    }

    /** The gateway has a key for the namespace's runs, or the message waits (the platform team registers one). */
    private List<String> requireGatewayKey(String namespace) throws MessageProblem {
        if (!gateway.servesNamespace(namespace)) {
            throw MessageProblem.waiting(Reasons.CREDENTIALS_MISSING, "no model API key is registered for namespace "
                    + namespace + " with the operator's credential gateway (cso.gateway.keys, chart gateway.keys)");
        }
        return List.of();
    }

    /**
     * The settings a run gets (operator defaults, session, prompt file, message, then the policy's ceilings), refused
     * when they are malformed or break the policy or the session's limits.
     */
    private RunSettings checkedSettings(String namespace, ClaudeSessionSpec sessionSpec, boolean inSession,
            RunSettings promptFile, RunSettings message) throws MessageProblem {
        RunSettings effective = RunSettingsMerger.merge(operatorDefaults(), sessionSpec, promptFile, message);
        validate(effective);
        String image = sessionSpec.getImage() != null ? sessionSpec.getImage() : config.defaults().image();
        NamespaceLimits limits = namespaceLimits.of(namespace);
        RunPolicy policy = this.policy.tightenedBy(limits);
        policy.applyCeilings(effective);
        List<String> violations = new ArrayList<>(limits.problems());
        violations.addAll(policy.violations(effective, inSession ? sessionSpec : null, image,
                sessionSpec.getServiceAccountName()));
        violations.addAll(policy.placementViolations(sessionSpec));
        if (!violations.isEmpty()) {
            throw MessageProblem.invalid(Reasons.POLICY_VIOLATION, String.join("; ", violations));
        }
        return effective;
    }

    /**
     * Why admission refuses a session, or a message in its session (null: one-shot), before anything either
     * references is read: the checks {@link #plan} makes of the same objects, so admission and the reconciler agree
     * (a prompt file's front matter is only known to the reconciler, which checks it again). Empty: admitted.
     *
     * @param message null when the session itself is reviewed
     */
    public Optional<MessageProblem> admissionProblem(String namespace, ClaudeSessionSpec session, ClaudeMessageSpec message) {
        Optional<String> refused = namespaces.refusal(namespace);
        if (refused.isPresent()) {
            return Optional.of(MessageProblem.invalid(Reasons.NAMESPACE_REFUSED, refused.get()));
        }
        try {
            ClaudeSessionSpec sessionSpec = session == null ? new ClaudeSessionSpec() : session;
            checkedSettings(namespace, sessionSpec, session != null, null, message);
            env(sessionSpec);
            return Optional.empty();
        } catch (MessageProblem p) {
            return Optional.of(p);
        }
    }

    private PromptFile readPrompt(String namespace, ClaudeMessageSpec spec) throws MessageProblem {
        boolean inline = spec.getPrompt() != null;
        boolean fromFile = spec.getPromptFrom() != null && spec.getPromptFrom().getConfigMapKeyRef() != null;
        if (inline && fromFile) {
            throw MessageProblem.invalid(Reasons.PROMPT_AMBIGUOUS, "set exactly one of prompt or promptFrom, not both");
        }
        if (!inline && !fromFile) {
            throw MessageProblem.invalid(Reasons.PROMPT_MISSING, "set exactly one of prompt or promptFrom");
        }
        if (inline) {
            return PromptFile.plain(spec.getPrompt());
        }
        String text = requireConfigMapKey(namespace, spec.getPromptFrom().getConfigMapKeyRef());
        try {
            return PromptFile.parse(text);
        } catch (PromptException e) {
            throw MessageProblem.invalid(e.reason(), "prompt file " + describe(spec.getPromptFrom().getConfigMapKeyRef())
                    + ": " + e.getMessage());
        }
    }

    /** A claim a session mounts as its workspace must exist and be opted in by its owner (a label on it). */
    private void requireWorkspaceClaim(String namespace, String claimName) throws MessageProblem {
        PersistentVolumeClaim claim = client.persistentVolumeClaims().inNamespace(namespace).withName(claimName).get();
        if (claim == null) {
            throw MessageProblem.waiting(Reasons.WORKSPACE_CLAIM_NOT_FOUND, "PersistentVolumeClaim " + claimName
                    + " (the session's workspace.volumeClaim) not found");
        }
        String optIn = claim.getMetadata().getLabels() == null ? null : claim.getMetadata().getLabels().get(Labels.WORKSPACE_OPT_IN);
        if (!"true".equals(optIn)) {
            throw MessageProblem.waiting(Reasons.WORKSPACE_NOT_OPTED_IN, "PersistentVolumeClaim " + claimName
                    + " is not labelled " + Labels.WORKSPACE_OPT_IN + "=true: its owner labels it to let sessions mount it"
                    + " (it could be another app's data, which the pod's fsGroup would re-own)");
        }
    }

    private String requireConfigMapKey(String namespace, KeyRef ref) throws MessageProblem {
        ConfigMap cm = client.configMaps().inNamespace(namespace).withName(ref.getName()).get();
        if (cm == null) {
            throw MessageProblem.waiting(Reasons.CONFIG_MAP_NOT_FOUND, "ConfigMap " + ref.getName() + " not found");
        }
        String value = cm.getData() == null ? null : cm.getData().get(ref.getKey());
        if (value == null) {
            throw MessageProblem.waiting(Reasons.CONFIG_MAP_KEY_NOT_FOUND,
                    "ConfigMap " + ref.getName() + " has no key " + ref.getKey());
        }
        return value;
    }

    private static Map<String, Object> variables(PromptFile file, ClaudeMessageSpec spec) {
        Map<String, Object> vars = new java.util.LinkedHashMap<>(file.variables());
        if (spec.getVariables() != null) {
            vars.putAll(spec.getVariables());
        }
        return vars;
    }

    private RunSettings operatorDefaults() {
        FrontMatterSettings defaults = new FrontMatterSettings();
        config.defaults().model().ifPresent(defaults::setModel);
        config.defaults().permissionMode().ifPresent(defaults::setPermissionMode);
        defaults.setTimeout(config.defaults().timeout());
        return defaults;
    }

    /** Checks what the schema also checks, for API servers that do not (the mock server, or no CEL before 1.25). */
    static void validate(RunSettings s) throws MessageProblem {
        if (s.getPermissionMode() != null && PermissionMode.fromCli(s.getPermissionMode()).isEmpty()) {
            throw MessageProblem.invalid(Reasons.INVALID_PERMISSION_MODE, "permissionMode " + s.getPermissionMode()
                    + " is not one of acceptEdits, auto, bypassPermissions, manual, dontAsk, plan");
        }
        if (s.getEffort() != null && Effort.fromCli(s.getEffort()).isEmpty()) {
            throw MessageProblem.invalid(Reasons.INVALID_EFFORT,
                    "effort " + s.getEffort() + " is not one of low, medium, high, xhigh, max");
        }
        if (s.getMaxTurns() != null && s.getMaxTurns() < 1) {
            throw MessageProblem.invalid(Reasons.INVALID_MAX_TURNS, "maxTurns must be at least 1, got " + s.getMaxTurns());
        }
        if (s.getMaxBudgetUsd() != null && !(s.getMaxBudgetUsd() > 0 && Double.isFinite(s.getMaxBudgetUsd()))) {
            throw MessageProblem.invalid(Reasons.INVALID_BUDGET,
                    "maxBudgetUsd must be greater than 0, got " + s.getMaxBudgetUsd());
        }
        try {
            Durations.parseSeconds(s.getTimeout());
        } catch (IllegalArgumentException e) {
            throw MessageProblem.invalid(Reasons.INVALID_TIMEOUT,
                    "timeout " + s.getTimeout() + " is not a duration such as 30m or 1h30m");
        }
    }

    /** The session's env plus the operator's; credentials may only come from Secrets. */
    List<EnvVar> env(ClaudeSessionSpec sessionSpec) throws MessageProblem {
        List<EnvVar> env = new ArrayList<>();
        config.defaults().env().forEach((k, v) -> env.add(new EnvVar(k, v, null)));
        if (sessionSpec.getEnv() != null) {
            for (EnvVar e : sessionSpec.getEnv()) {
                if (e.getName() == null || e.getName().isBlank()) {
                    throw MessageProblem.invalid(Reasons.INVALID_ENV, "every env entry needs a name");
                }
                if (e.getValue() != null && e.getValueFrom() != null) {
                    throw MessageProblem.invalid(Reasons.INVALID_ENV, "env " + e.getName() + " sets both value and valueFrom");
                }
                if (Credentials.ENV_NAMES.contains(e.getName()) && e.getValueFrom() == null) {
                    throw MessageProblem.invalid(Reasons.PLAIN_TEXT_CREDENTIAL, "env " + e.getName()
                            + " must come from a Secret (valueFrom.secretKeyRef or spec.credentials), not a plain value");
                }
                Optional<String> refused = envPolicy.refusal(e.getName(), e.getValueFrom() != null
                        && e.getValueFrom().getSecretKeyRef() != null);
                if (refused.isPresent()) {
                    throw MessageProblem.invalid(Reasons.ENV_NOT_ALLOWED, refused.get());
                }
                env.removeIf(existing -> existing.getName().equals(e.getName()));
                env.add(e);
            }
        }
        return env;
    }

    /**
     * The key of the credentials Secret the run takes its credential from. The Secret is not read: the operator has
     * no rights on Secrets. The kubelet reads it, and a missing Secret or key holds the pod in
     * CreateContainerConfigError, reported as CredentialsMissing ({@link MessageTransition}).
     */
    private List<String> credentialKeys(ClaudeSessionSpec session, String secretName) throws MessageProblem {
        if (secretName == null) {
            throw MessageProblem.waiting(Reasons.CREDENTIALS_MISSING,
                    "no credentials: set spec.credentials.secretRef on the session or the operator's default Secret");
        }
        String key = session.getCredentials() != null ? session.getCredentials().keyOrDefault()
                : config.defaults().credentialsKey().orElse(Credentials.SECRET_KEYS.get(0));
        if (!Credentials.SECRET_KEYS.contains(key)) {
            throw MessageProblem.invalid(Reasons.CREDENTIALS_MISSING, "credentials key " + key + " is not one of "
                    + String.join(", ", Credentials.SECRET_KEYS));
        }
        return List.of(key);
    }

    private ResourceRequirements resources(ClaudeSessionSpec spec) {
        if (spec.getResources() != null) {
            return spec.getResources();
        }
        ResourceRequirements r = new ResourceRequirements();
        Map<String, Quantity> requests = new java.util.HashMap<>();
        Map<String, Quantity> limits = new java.util.HashMap<>();
        config.defaults().cpuRequest().ifPresent(v -> requests.put("cpu", new Quantity(v)));
        config.defaults().memoryRequest().ifPresent(v -> requests.put("memory", new Quantity(v)));
        config.defaults().cpuLimit().ifPresent(v -> limits.put("cpu", new Quantity(v)));
        config.defaults().memoryLimit().ifPresent(v -> limits.put("memory", new Quantity(v)));
        r.setRequests(requests.isEmpty() ? null : requests);
        r.setLimits(limits.isEmpty() ? null : limits);
        return r;
    }

    private static String describe(KeyRef ref) {
        return ref.getName() + "/" + ref.getKey();
    }
}
