package dev.sessionops.claude.local;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.sessionops.claude.testing.RealControlPlane;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * {@link RealKubelet} on a real kube-apiserver with the real Job controller: the controller's Pods are bound and
 * run, the controller marks Jobs Complete, Failed and DeadlineExceeded from the status the kubelet writes, and the
 * pod log is read through the API server from the kubelet's HTTPS endpoint.
 */
class RealKubeletTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    private static RealControlPlane plane;
    private static KubernetesClient client;
    private static RealKubelet kubelet;
    private static String ns;

    @BeforeAll
    static void start() {
        plane = RealControlPlane.builder().apiServerArg(RealKubelet.API_SERVER_ARG).start();
        client = plane.adminClient();
        kubelet = RealKubelet.start(client);
        ns = "rk-" + Long.toString(System.nanoTime(), 36);
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
        // Pods are admitted only once the default ServiceAccount and its token exist
        assertNotNull(plane.serviceAccountToken(ns, "default"));
        client.secrets().inNamespace(ns).resource(new SecretBuilder().withNewMetadata().withName("creds").endMetadata()
                .withStringData(Map.of("foo", "s3cret-value")).build()).create();
    }

    @AfterAll
    static void stop() {
        if (kubelet != null) {
            kubelet.close();
        }
        if (plane != null) {
            plane.close();
        }
    }

    @Test
    void nodeIsRegisteredAndReady() {
        Node node = client.nodes().withName(RealKubelet.NODE_NAME).get();
        assertNotNull(node);
        assertEquals(kubelet.port(), node.getStatus().getDaemonEndpoints().getKubeletEndpoint().getPort());
        assertTrue(node.getStatus().getAddresses().stream()
                .anyMatch(a -> "InternalIP".equals(a.getType()) && "127.0.0.1".equals(a.getAddress())));
        assertTrue(node.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus())));
    }

    @Test
    void realJobControllerCompletesJobAndLogsComeThroughTheApiServer() {
        createJob("hello", List.of("/bin/sh", "-c", "echo hello $FOO; id -u"), null);
        JobCondition done = awaitFinished("hello");
        assertEquals("Complete", done.getType(), () -> "job: " + job("hello").getStatus());
        assertEquals(1, job("hello").getStatus().getSucceeded());

        Pod pod = podsOf("hello").get(0);
        assertEquals(RealKubelet.NODE_NAME, pod.getSpec().getNodeName());
        assertEquals("Succeeded", pod.getStatus().getPhase());
        assertEquals(0, pod.getStatus().getContainerStatuses().get(0).getState().getTerminated().getExitCode());
        String log = client.pods().inNamespace(ns).withName(pod.getMetadata().getName()).inContainer("main").getLog();
        assertTrue(log.contains("hello s3cret-value"), log);
        assertTrue(log.lines().anyMatch("1000"::equals), log);
        assertEquals("1000\n", client.pods().inNamespace(ns).withName(pod.getMetadata().getName()).inContainer("main")
                .tailingLines(1).getLog());
    }

    @Test
    void initContainerAndClaimVolumeAndVarExpansion() {
        client.persistentVolumeClaims().inNamespace(ns).resource(new PersistentVolumeClaimBuilder()
                .withNewMetadata().withName("work").endMetadata()
                .withNewSpec().withAccessModes("ReadWriteOnce").withNewResources()
                .addToRequests("storage", new Quantity("1Mi")).endResources().endSpec().build()).create();
        client.batch().v1().jobs().inNamespace(ns).resource(new JobBuilder()
                .withNewMetadata().withName("init").endMetadata()
                .withNewSpec().withBackoffLimit(0)
                .withNewTemplate().withNewSpec().withRestartPolicy("Never")
                .addNewVolume().withName("work").withNewPersistentVolumeClaim().withClaimName("work")
                .endPersistentVolumeClaim().endVolume()
                .addNewInitContainer().withName("prepare").withImage("busybox")
                .withCommand("/bin/sh", "-c", "echo $(GREETING) > /work/greeting")
                .addNewEnv().withName("GREETING").withValue("from-init").endEnv()
                .addNewVolumeMount().withName("work").withMountPath("/work").endVolumeMount()
                .endInitContainer()
                .addNewContainer().withName("main").withImage("busybox").withCommand("/bin/sh", "-c", "cat /work/greeting")
                .addNewVolumeMount().withName("work").withMountPath("/work").endVolumeMount()
                .endContainer().endSpec().endTemplate().endSpec().build()).create();
        assertEquals("Complete", awaitFinished("init").getType());
        Pod pod = podsOf("init").get(0);
        assertEquals(0, pod.getStatus().getInitContainerStatuses().get(0).getState().getTerminated().getExitCode());
        assertEquals("from-init\n", client.pods().inNamespace(ns).withName(pod.getMetadata().getName())
                .inContainer("main").getLog());
        assertEquals(List.of("prepare", "main"), kubelet.runs(ns, "init").stream().map(ContainerRun::container).toList());
    }

    @Test
    void nonZeroExitFailsTheJob() {
        createJob("fails", List.of("/bin/sh", "-c", "echo failing; exit 1"), null);
        JobCondition done = awaitFinished("fails");
        assertEquals("Failed", done.getType());
        assertEquals("BackoffLimitExceeded", done.getReason());
        Pod pod = podsOf("fails").get(0);
        assertEquals("Failed", pod.getStatus().getPhase());
        assertEquals(1, pod.getStatus().getContainerStatuses().get(0).getState().getTerminated().getExitCode());
        String log = client.pods().inNamespace(ns).withName(pod.getMetadata().getName()).inContainer("main").getLog();
        assertTrue(log.contains("failing"), log);
    }

    @Test
    void deadlineKillsTheProcessAndFailsTheJob() {
        String marker = "rk-deadline-" + System.nanoTime();
        createJob("slow", List.of("/bin/sh", "-c", "sleep 30; echo " + marker), 2L);
        await().atMost(WAIT).until(() -> kubelet.runs(ns, "slow").size() == 1);
        JobCondition done = awaitFinished("slow");
        assertEquals("Failed", done.getType());
        assertEquals("DeadlineExceeded", done.getReason());
        ContainerRun run = kubelet.runs(ns, "slow").get(0);
        await().atMost(Duration.ofSeconds(15)).until(run::isFinished);
        assertTrue(run.finishedAt().isBefore(run.startedAt().plusSeconds(20)), run.toString());
        await().atMost(Duration.ofSeconds(15)).until(() -> ProcessHandle.allProcesses()
                .noneMatch(p -> p.info().commandLine().orElse("").contains(marker)));
        // the kubelet completes the deletion the Job controller started
        await().atMost(Duration.ofSeconds(30)).until(() -> podsOf("slow").isEmpty());
    }

    /** As on a 1.20 cluster: a deleted pod is not counted as a failure, the Job controller makes another one. */
    @Test
    void deletingARunningPodKillsItsProcessAndTheJobControllerReplacesIt() {
        String marker = "rk-delete-" + System.nanoTime();
        createJob("deleted", List.of("/bin/sh", "-c", "sleep 30; echo " + marker), null);
        await().atMost(WAIT).until(() -> kubelet.runs(ns, "deleted").size() == 1
                && "Running".equals(podsOf("deleted").get(0).getStatus().getPhase()));
        String pod = podsOf("deleted").get(0).getMetadata().getName();
        client.pods().inNamespace(ns).withName(pod).delete(); // default grace period: the kubelet finishes it
        ContainerRun first = kubelet.runs(ns, "deleted").get(0);
        await().atMost(Duration.ofSeconds(15)).until(first::isFinished);
        await().atMost(Duration.ofSeconds(30)).until(() -> client.pods().inNamespace(ns).withName(pod).get() == null);
        await().atMost(WAIT).until(() -> kubelet.runs(ns, "deleted").size() == 2);
        assertTrue(first.finishedAt().isBefore(first.startedAt().plusSeconds(20)), first.toString());

        // deleting the Job: garbage collection deletes the replacement pod, the kubelet kills its process
        client.batch().v1().jobs().inNamespace(ns).withName("deleted")
                .withPropagationPolicy(DeletionPropagation.BACKGROUND).delete();
        ContainerRun second = kubelet.runs(ns, "deleted").get(1);
        await().atMost(Duration.ofSeconds(30)).until(second::isFinished);
        await().atMost(Duration.ofSeconds(30)).until(() -> podsOf("deleted").isEmpty());
        await().atMost(Duration.ofSeconds(15)).until(() -> ProcessHandle.allProcesses()
                .noneMatch(p -> p.info().commandLine().orElse("").contains(marker)));
    }

    private void createJob(String name, List<String> command, Long activeDeadlineSeconds) {
        client.batch().v1().jobs().inNamespace(ns).resource(new JobBuilder()
                .withNewMetadata().withName(name).endMetadata()
                .withNewSpec().withBackoffLimit(0).withActiveDeadlineSeconds(activeDeadlineSeconds)
                .withNewTemplate().withNewSpec().withRestartPolicy("Never")
                .withNewSecurityContext().withRunAsUser(1000L).endSecurityContext()
                .addNewContainer().withName("main").withImage("busybox").withCommand(command)
                .addNewEnv().withName("FOO").withNewValueFrom().withNewSecretKeyRef().withName("creds").withKey("foo")
                .endSecretKeyRef().endValueFrom().endEnv()
                .endContainer().endSpec().endTemplate().endSpec().build()).create();
    }

    private static Job job(String name) {
        return client.batch().v1().jobs().inNamespace(ns).withName(name).get();
    }

    private static JobCondition awaitFinished(String name) {
        JobCondition[] found = new JobCondition[1];
        await().atMost(WAIT).until(() -> {
            Optional<JobCondition> c = Optional.ofNullable(job(name).getStatus()).stream()
                    .flatMap(s -> s.getConditions().stream())
                    .filter(x -> ("Complete".equals(x.getType()) || "Failed".equals(x.getType())) && "True".equals(x.getStatus()))
                    .findFirst();
            c.ifPresent(x -> found[0] = x);
            return c.isPresent();
        });
        assertFalse(found[0] == null);
        return found[0];
    }

    private static List<Pod> podsOf(String jobName) {
        return client.pods().inNamespace(ns).withLabel("job-name", jobName).list().getItems();
    }
}
