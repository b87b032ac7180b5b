package dev.sessionops.claude.local;

import dev.sessionops.claude.api.runner.Labels;
import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.api.runner.PodLayout;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LocalKubeletTest {
    private static final String NS = "team-a";
    private static final Duration IDLE = Duration.ofSeconds(20);

    private KubernetesMockServer server;
    private KubernetesClient client;
    private LocalKubelet kubelet;

    @BeforeEach
    void startServer() {
        Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
        server = new KubernetesMockServer(new Context(), new MockWebServer(), responses,
                new KubernetesMixedDispatcher(responses), false);
        server.init();
        client = server.createClient();
        client.persistentVolumeClaims().inNamespace(NS).resource(new PersistentVolumeClaimBuilder()
                .withNewMetadata().withName("state").endMetadata().build()).create();
    }

    @AfterEach
    void stopServer() {
        if (kubelet != null) {
            kubelet.close();
        }
        client.close();
        server.destroy();
    }

    @Test
    void runsJobWithSecretEnvWorkingDirVolumeAndUser() throws Exception {
        kubelet = LocalKubelet.start(server, client);
        assertTrue(kubelet.mountsAtRealPaths(), "this machine runs the tests as root with unshare");
        client.secrets().inNamespace(NS).resource(new SecretBuilder().withNewMetadata().withName("anthropic").endMetadata()
                .addToStringData("ANTHROPIC_API_KEY", "sk-test").build()).create();
        Container container = sh("echo hello; echo \"$FOO\"; pwd; id -u; echo x > /workspace/f; echo oops >&2")
                .withWorkingDir("/workspace")
                .addNewEnv().withName("FOO").withNewValueFrom().withNewSecretKeyRef("ANTHROPIC_API_KEY", "anthropic", null)
                .endValueFrom().endEnv()
                .addNewVolumeMount().withName("state").withMountPath(PodLayout.WORKSPACE).withSubPath("workspace").endVolumeMount()
                .withNewSecurityContext().withRunAsUser(PodLayout.RUN_AS_USER).withRunAsNonRoot(true).withAllowPrivilegeEscalation(false)
                .endSecurityContext()
                .build();
        Job created = create(job("hello", container, claim("state", "state")));

        kubelet.awaitIdle(IDLE);

        Job job = client.batch().v1().jobs().inNamespace(NS).withName("hello").get();
        assertEquals(1, job.getStatus().getSucceeded());
        assertNotNull(job.getStatus().getStartTime());
        assertNotNull(job.getStatus().getCompletionTime());
        assertNull(job.getStatus().getActive());
        assertTrue(hasCondition(job, "Complete", null));

        Pod pod = onlyPod("hello");
        assertEquals("Succeeded", pod.getStatus().getPhase());
        assertEquals("hello", pod.getMetadata().getLabels().get("job-name"));
        assertEquals("hello", pod.getMetadata().getLabels().get("batch.kubernetes.io/job-name"));
        assertEquals(created.getMetadata().getUid(), pod.getMetadata().getLabels().get("controller-uid"));
        assertEquals(created.getMetadata().getUid(), pod.getMetadata().getLabels().get("batch.kubernetes.io/controller-uid"));
        assertEquals("test", pod.getMetadata().getLabels().get("app"));
        assertEquals(created.getMetadata().getUid(), pod.getMetadata().getOwnerReferences().get(0).getUid());
        assertTrue(pod.getMetadata().getOwnerReferences().get(0).getController());
        assertTrue(pod.getMetadata().getName().matches("hello-[a-z0-9]{5}"));
        ContainerState state = pod.getStatus().getContainerStatuses().get(0).getState();
        assertEquals(0, state.getTerminated().getExitCode());
        assertEquals("Completed", state.getTerminated().getReason());

        String log = client.pods().inNamespace(NS).withName(pod.getMetadata().getName()).inContainer("claude").getLog();
        assertEquals("hello\nsk-test\n/workspace\n1000\noops\n", log);
        Path file = kubelet.volumeDir(NS, "state").resolve("workspace/f");
        assertEquals("x\n", Files.readString(file));
        assertEquals(1000, Files.getAttribute(file, "unix:uid", LinkOption.NOFOLLOW_LINKS));
        ContainerRun run = kubelet.runs(NS, "hello").get(0);
        assertEquals(0, run.exitCode());
        assertEquals(List.of("/bin/sh", "-c", container.getCommand().get(2)), run.argv());
        assertEquals(kubelet.volumeDir(NS, "state").resolve("workspace"), run.mounts().get("/workspace"));
    }

    @Test
    void sharesAClaimDirectoryAcrossJobs() {
        kubelet = LocalKubelet.start(server, client);
        Container writer = sh("echo from-first > /var/lib/claude-session/note")
                .addNewVolumeMount().withName("state").withMountPath(PodLayout.STATE_MOUNT).endVolumeMount().build();
        create(job("first", writer, claim("state", "state")));
        kubelet.awaitIdle(IDLE);
        Container reader = sh("cat /var/lib/claude-session/note")
                .addNewVolumeMount().withName("state").withMountPath(PodLayout.STATE_MOUNT).endVolumeMount().build();
        create(job("second", reader, claim("state", "state")));
        kubelet.awaitIdle(IDLE);

        assertEquals("from-first\n", logOf("second"));
        assertEquals(kubelet.runs(NS, "first").get(0).mounts(), kubelet.runs(NS, "second").get(0).mounts());
    }

    @Test
    void nonZeroExitFailsTheJob() {
        kubelet = LocalKubelet.start(server, client);
        create(job("broken", sh("echo bad; exit 1").build()));
        kubelet.awaitIdle(IDLE);

        Job job = client.batch().v1().jobs().inNamespace(NS).withName("broken").get();
        assertEquals(1, job.getStatus().getFailed());
        assertTrue(hasCondition(job, "Failed", "BackoffLimitExceeded"));
        assertNull(job.getStatus().getCompletionTime());
        Pod pod = onlyPod("broken");
        assertEquals("Failed", pod.getStatus().getPhase());
        assertEquals(1, pod.getStatus().getContainerStatuses().get(0).getState().getTerminated().getExitCode());
        assertEquals("Error", pod.getStatus().getContainerStatuses().get(0).getState().getTerminated().getReason());
        assertEquals("bad\n", logOf("broken"));
    }

    @Test
    void retriesUpToTheBackoffLimitWithANewPod() {
        kubelet = LocalKubelet.start(server, client);
        Job spec = job("flaky", sh("exit 3").build());
        spec.getSpec().setBackoffLimit(1);
        create(spec);
        kubelet.awaitIdle(IDLE);

        Job job = client.batch().v1().jobs().inNamespace(NS).withName("flaky").get();
        assertEquals(2, job.getStatus().getFailed());
        assertTrue(hasCondition(job, "Failed", "BackoffLimitExceeded"));
        assertEquals(2, pods("flaky").size());
        assertEquals(List.of(3, 3), kubelet.runs(NS, "flaky").stream().map(ContainerRun::exitCode).toList());
    }

    @Test
    void activeDeadlineKillsTheProcess() {
        kubelet = LocalKubelet.start(server, client);
        Job spec = job("slow", sh("sleep 30").build());
        spec.getSpec().setActiveDeadlineSeconds(1L);
        create(spec);

        kubelet.awaitIdle(Duration.ofSeconds(10));

        Job job = client.batch().v1().jobs().inNamespace(NS).withName("slow").get();
        assertTrue(hasCondition(job, "Failed", "DeadlineExceeded"));
        ContainerRun run = kubelet.runs(NS, "slow").get(0);
        assertTrue(run.isFinished());
        assertTrue(Duration.between(run.startedAt(), run.finishedAt()).toSeconds() < 5);
        assertTrue(pods("slow").isEmpty(), "the Job controller deletes the active pod");
    }

    @Test
    void servesTheLogWhileRunningAndKillsOnJobDeletion() {
        kubelet = LocalKubelet.start(server, client);
        create(job("long", sh("echo started; sleep 30").build()));

        await().ignoreExceptions().atMost(Duration.ofSeconds(10)).until(() -> logOf("long").equals("started\n"));
        Pod pod = onlyPod("long");
        assertEquals("Running", pod.getStatus().getPhase());
        assertNotNull(pod.getStatus().getContainerStatuses().get(0).getState().getRunning());
        assertEquals(1, client.batch().v1().jobs().inNamespace(NS).withName("long").get().getStatus().getActive());

        client.batch().v1().jobs().inNamespace(NS).withName("long").delete();

        await().ignoreExceptions().atMost(Duration.ofSeconds(5)).until(() -> kubelet.runs(NS, "long").get(0).isFinished());
        await().ignoreExceptions().atMost(Duration.ofSeconds(5)).until(() -> pods("long").isEmpty());
        // sh reports its SIGTERM'd child ("Terminated"), as it would in a pod
        assertTrue(kubelet.runs(NS, "long").get(0).log().startsWith("started\n"), "logs stay readable from the run");
    }

    @Test
    void deletingThePodKillsItAndFailsTheJob() {
        kubelet = LocalKubelet.start(server, client);
        create(job("victim", sh("echo up; sleep 30").build()));
        await().ignoreExceptions().atMost(Duration.ofSeconds(10)).until(() -> logOf("victim").equals("up\n"));

        client.pods().inNamespace(NS).withName(onlyPod("victim").getMetadata().getName()).delete();

        kubelet.awaitIdle(Duration.ofSeconds(5));
        assertTrue(hasCondition(client.batch().v1().jobs().inNamespace(NS).withName("victim").get(), "Failed",
                "BackoffLimitExceeded"));
    }

    @Test
    void missingSecretKeepsThePodWaitingLikeAKubelet() {
        kubelet = LocalKubelet.start(server, client);
        Container container = sh("echo \"$TOKEN\"")
                .addNewEnv().withName("TOKEN").withNewValueFrom().withNewSecretKeyRef("token", "creds", null).endValueFrom()
                .endEnv().build();
        create(job("needs-secret", container));

        await().ignoreExceptions().atMost(Duration.ofSeconds(10)).until(() -> waitingReason("needs-secret").isPresent());
        var waiting = onlyPod("needs-secret").getStatus().getContainerStatuses().get(0).getState().getWaiting();
        assertEquals("CreateContainerConfigError", waiting.getReason());
        assertEquals("secret \"creds\" not found", waiting.getMessage());
        assertEquals("Pending", onlyPod("needs-secret").getStatus().getPhase());
        assertThrows(KubernetesClientException.class, () -> logOf("needs-secret"), "no log before the container starts");
        IllegalStateException notIdle = assertThrows(IllegalStateException.class,
                () -> kubelet.awaitIdle(Duration.ofMillis(300)));
        assertTrue(notIdle.getMessage().contains("secret \"creds\" not found"), notIdle.getMessage());

        client.secrets().inNamespace(NS).resource(new SecretBuilder().withNewMetadata().withName("creds").endMetadata()
                .addToData("token", "czNjcjN0").build()).create();
        kubelet.awaitIdle(IDLE);
        assertEquals("s3cr3t\n", logOf("needs-secret"));
    }

    @Test
    void initContainerConfigMapVolumeFieldRefAndVarExpansion() {
        kubelet = LocalKubelet.start(server, client);
        client.configMaps().inNamespace(NS).resource(new ConfigMapBuilder().withNewMetadata().withName("mcp").endMetadata()
                .addToData("config", "{\"mcpServers\":{}}").build()).create();
        Container init = new ContainerBuilder().withName(PodLayout.GIT_INIT_CONTAINER).withImage("runner")
                .withCommand("/bin/sh", "-c", "echo cloned > /workspace/repo")
                .addNewVolumeMount().withName("scratch").withMountPath(PodLayout.WORKSPACE).endVolumeMount().build();
        Container main = sh("cat /workspace/repo; cat " + PodLayout.MCP_CONFIG + "; echo; echo \"$POD\"; echo \"$1\"")
                .addToArgs("sh", "$(GREETING) $$(GREETING) $(UNDEFINED)")
                .addNewEnv().withName("POD").withNewValueFrom().withNewFieldRef().withFieldPath("metadata.name").endFieldRef()
                .endValueFrom().endEnv()
                .addNewEnv().withName("GREETING").withValue("hi").endEnv()
                .addNewVolumeMount().withName("scratch").withMountPath(PodLayout.WORKSPACE).endVolumeMount()
                .addNewVolumeMount().withName("mcp").withMountPath(PodLayout.MCP_CONFIG_DIR).endVolumeMount().build();
        Job spec = job("init", main,
                new VolumeBuilder().withName("scratch").withNewEmptyDir().endEmptyDir().build(),
                new VolumeBuilder().withName("mcp").withNewConfigMap().withName("mcp").addNewItem().withKey("config")
                        .withPath("mcp.json").endItem().endConfigMap().build());
        spec.getSpec().getTemplate().getSpec().setInitContainers(List.of(init));
        create(spec);
        kubelet.awaitIdle(IDLE);

        String podName = onlyPod("init").getMetadata().getName();
        assertEquals("cloned\n{\"mcpServers\":{}}\n" + podName + "\nhi $(GREETING) $(UNDEFINED)\n", logOf("init"));
        assertEquals(List.of(PodLayout.GIT_INIT_CONTAINER, PodLayout.CONTAINER),
                kubelet.runs(NS, "init").stream().map(ContainerRun::container).toList());
        assertEquals("", client.pods().inNamespace(NS).withName(podName).inContainer(PodLayout.GIT_INIT_CONTAINER).getLog());
    }

    @Test
    void fallsBackToRewritingMountPaths() throws Exception {
        kubelet = LocalKubelet.start(server, client, LocalKubelet.Options.defaults().withPathRewriting());
        assertFalse(kubelet.mountsAtRealPaths());
        Container container = sh("echo rewritten > /workspace/f; pwd").withWorkingDir("/workspace")
                .addNewVolumeMount().withName("state").withMountPath("/workspace").endVolumeMount().build();
        create(job("rewrite", container, claim("state", "state")));
        kubelet.awaitIdle(IDLE);

        Path dir = kubelet.volumeDir(NS, "state");
        assertEquals("rewritten\n", Files.readString(dir.resolve("f")));
        assertEquals(dir + "\n", logOf("rewrite"));
    }

    /**
     * The operator's prompt: a ConfigMap mounted read-only, its file's path a positional parameter of the container's
     * shell, which makes it a command's stdin. With mounts at their real paths or with the paths rewritten (local mode
     * as a user other than root), the command reads the ConfigMap's text, byte for byte.
     */
    @Test
    void aConfigMapFileGivenAsAParameterIsReadAsStdinInEitherMountMode() throws Exception {
        String prompt = "line one $(HOME) `id`\n  trailing blanks  \n\n";
        client.configMaps().inNamespace(NS).resource(new ConfigMapBuilder().withNewMetadata().withName("prompt-x")
                .endMetadata().addToData("prompt", prompt).build()).create();
        for (boolean rewrite : new boolean[] {false, true}) {
            kubelet = rewrite ? LocalKubelet.start(server, client, LocalKubelet.Options.defaults().withPathRewriting())
                    : LocalKubelet.start(server, client);
            String name = rewrite ? "stdin-rewritten" : "stdin";
            Container main = new ContainerBuilder().withName(PodLayout.CONTAINER).withImage("runner")
                    .withCommand("/bin/sh", "-c", "p=$1; shift; \"$@\" <\"$p\"", "sh", PodLayout.PROMPT_FILE, "cat")
                    .addNewVolumeMount().withName("prompt").withMountPath(PodLayout.PROMPT_DIR).withReadOnly(true)
                    .endVolumeMount().build();
            create(job(name, main, new VolumeBuilder().withName("prompt").withNewConfigMap().withName("prompt-x")
                    .addNewItem().withKey("prompt").withPath("prompt").endItem().endConfigMap().build()));
            kubelet.awaitIdle(IDLE);
            assertEquals(prompt, logOf(name), rewrite ? "paths rewritten" : "mounted at their paths");
            if (!rewrite) {
                kubelet.close(); // the next one starts; the last one is closed after the test
                kubelet = null;
            }
        }
    }

    @Test
    void runsAtMostMaxParallelPodsAtOnce() {
        kubelet = LocalKubelet.start(server, client, LocalKubelet.Options.defaults().withMaxParallel(1));
        create(job("one", sh("sleep 0.5").build()));
        create(job("two", sh("sleep 0.5").build()));
        kubelet.awaitIdle(IDLE);

        List<ContainerRun> runs = kubelet.runs();
        assertEquals(2, runs.size());
        assertFalse(runs.get(1).startedAt().isBefore(runs.get(0).finishedAt()), runs.toString());
    }

    @Test
    void aLaterKubeletOnTheSameServerLeavesEarlierJobsAlone() {
        kubelet = LocalKubelet.start(server, client);
        create(job("abandoned", sh("echo up; sleep 30").build()));
        await().ignoreExceptions().atMost(Duration.ofSeconds(10)).until(() -> logOf("abandoned").equals("up\n"));
        kubelet.close();

        kubelet = LocalKubelet.start(server, client);
        kubelet.awaitIdle(Duration.ofSeconds(2));
        assertTrue(kubelet.runs().isEmpty());
        assertTrue(logOf("abandoned").startsWith("up\n"), "logs outlive the kubelet that captured them");
    }

    @Test
    void neverRunsAContainerAsRoot() {
        kubelet = LocalKubelet.start(server, client);
        create(job("no-user", sh("id -u; id -g; id -G").build()));
        Job asRoot = job("as-root", sh("id -u; id -g; id -G").withNewSecurityContext().withRunAsUser(0L).withRunAsGroup(0L)
                .endSecurityContext().build());
        asRoot.getSpec().getTemplate().getSpec().setSecurityContext(new io.fabric8.kubernetes.api.model.PodSecurityContextBuilder()
                .withFsGroup(0L).withSupplementalGroups(0L).build());
        create(asRoot);
        kubelet.awaitIdle(IDLE);

        // as root the kubelet picks nobody (65534) when the pod names no user, or names root
        assertEquals("65534\n65534\n65534\n", logOf("no-user"));
        assertEquals("65534\n65534\n65534\n", logOf("as-root"));
        assertEquals(List.of(65534L, 65534L), kubelet.runs().stream().map(ContainerRun::uid).toList());
    }

    @Test
    void withOperatorJobsOnlyRunsJustTheJobsOfAnExistingClaudeMessage() {
        kubelet = LocalKubelet.start(server, client, LocalKubelet.Options.defaults().withOperatorJobsOnly());
        ClaudeMessage message = new ClaudeMessage();
        message.setMetadata(new ObjectMetaBuilder().withName("m1").withNamespace(NS).build());
        message = client.resources(ClaudeMessage.class).inNamespace(NS).resource(message).create();
        String uid = message.getMetadata().getUid();

        create(job("plain", sh("echo ran").build()));
        create(operatorJob("no-owner", null, null));
        create(operatorJob("stale-owner", "m1", "not-" + uid));
        create(operatorJob("missing-owner", "m2", uid));
        create(operatorJob("ours", "m1", uid));
        kubelet.awaitIdle(IDLE); // the refused ones do not keep it busy

        assertEquals(List.of("ours"), kubelet.runs().stream().map(ContainerRun::jobName).toList());
        assertEquals("ran\n", logOf("ours"));
        for (String refused : List.of("plain", "no-owner", "stale-owner", "missing-owner")) {
            assertTrue(pods(refused).isEmpty(), refused + " has no pod");
            assertNull(client.batch().v1().jobs().inNamespace(NS).withName(refused).get().getStatus(), refused + " untouched");
        }
    }

    private static Job operatorJob(String name, String messageName, String messageUid) {
        Job job = job(name, sh("echo ran").build());
        job.getMetadata().setLabels(Map.of(Labels.MANAGED_BY, Labels.OPERATOR));
        if (messageName != null) {
            job.getMetadata().setOwnerReferences(List.of(new OwnerReferenceBuilder().withApiVersion("claude.sessionops.dev/v1alpha1")
                    .withKind("ClaudeMessage").withName(messageName).withUid(messageUid).withController(true).build()));
        }
        return job;
    }

    // --- helpers

    private static ContainerBuilder sh(String script) {
        return new ContainerBuilder().withName(PodLayout.CONTAINER).withImage("runner").withCommand("/bin/sh", "-c", script);
    }

    private static Volume claim(String name, String claimName) {
        return new VolumeBuilder().withName(name).withNewPersistentVolumeClaim().withClaimName(claimName)
                .endPersistentVolumeClaim().build();
    }

    private static Job job(String name, Container container, Volume... volumes) {
        return new JobBuilder().withNewMetadata().withName(name).withNamespace(NS).endMetadata()
                .withNewSpec().withBackoffLimit(0)
                .withNewTemplate().withNewMetadata().addToLabels("app", "test").endMetadata()
                .withNewSpec().withRestartPolicy("Never").withContainers(container).withVolumes(volumes).endSpec()
                .endTemplate().endSpec().build();
    }

    private Job create(Job job) {
        return client.batch().v1().jobs().inNamespace(NS).resource(job).create();
    }

    private List<Pod> pods(String jobName) {
        return client.pods().inNamespace(NS).withLabel("job-name", jobName).list().getItems();
    }

    private Pod onlyPod(String jobName) {
        List<Pod> pods = pods(jobName);
        assertEquals(1, pods.size(), pods.toString());
        return pods.get(0);
    }

    private String logOf(String jobName) {
        return client.pods().inNamespace(NS).withName(onlyPod(jobName).getMetadata().getName()).inContainer("claude").getLog();
    }

    private Optional<String> waitingReason(String jobName) {
        List<Pod> pods = pods(jobName);
        if (pods.isEmpty() || pods.get(0).getStatus() == null || pods.get(0).getStatus().getContainerStatuses().isEmpty()) {
            return Optional.empty();
        }
        var waiting = pods.get(0).getStatus().getContainerStatuses().get(0).getState().getWaiting();
        return waiting == null || !"CreateContainerConfigError".equals(waiting.getReason()) ? Optional.empty()
                : Optional.of(waiting.getReason());
    }

    private static boolean hasCondition(Job job, String type, String reason) {
        for (JobCondition c : job.getStatus().getConditions()) {
            if (c.getType().equals(type) && "True".equals(c.getStatus()) && (reason == null || reason.equals(c.getReason()))) {
                return true;
            }
        }
        return false;
    }
}
