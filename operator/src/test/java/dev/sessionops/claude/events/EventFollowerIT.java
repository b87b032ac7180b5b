package dev.sessionops.claude.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.sessionops.claude.api.runner.Labels;
import dev.sessionops.claude.api.runner.PodLayout;
import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.api.v1alpha1.ClaudeMessageSpec;
import dev.sessionops.claude.testing.JobPod;
import dev.sessionops.claude.testing.RecordedRequests;
import dev.sessionops.claude.testing.RealRedis;
import dev.sessionops.claude.testing.TestOperatorConfig;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;

/**
 * A run's follower, against the mock API server and a real Redis: while the pod is awaited it lists the Job's pods
 * and asks the reconciler's Job cache whether the Job is still there (no Job GET while the cache shows it, a GET and
 * the follower's end once it does not); it reads the log of the pod whose controller is the run's Job (a pod that only
 * wears the Job's label is never the run), and keeps the log it read to the end, so recording reads nothing again.
 */
@EnableKubernetesMockClient(crud = true)
class EventFollowerIT {
    private static final String NS = "ns";
    private static final String LOG = "{\"type\":\"system\",\"subtype\":\"init\",\"session_id\":\"s-%1$s\"}\n"
            + "{\"type\":\"result\",\"subtype\":\"success\",\"result\":\"from %1$s\",\"session_id\":\"s-%1$s\"}\n";

    @RegisterExtension
    static final RealRedis REDIS = new RealRedis();

    KubernetesMockServer server;
    KubernetesClient client;

    @Test
    void aCachedJobCostsNoGetWhileItsPodIsAwaited() throws Exception {
        var config = TestOperatorConfig.with();
        EventFollower follower = new EventFollower(client, new EventStore(REDIS.dataSource(), config),
                new PodLogStream(client), config);
        AtomicBoolean cached = new AtomicBoolean(true);
        follower.lookUpJobsIn((namespace, name) -> cached.get() && "run-1".equals(name));
        ClaudeMessage message = message("m");
        drain();
        try {
            follower.follow(message, new JobBuilder().withNewMetadata().withName("run-1").withNamespace("ns")
                    .withUid("uid-run-1").endMetadata().build());
            List<String> awaiting = new java.util.ArrayList<>(); // looks at 0, 0.3, 0.9 s
            waitFor(Duration.ofSeconds(10), () -> {
                awaiting.addAll(drainQuietly());
                return awaiting.size() >= 2;
            });
            assertTrue(awaiting.size() >= 2, "it looked again: " + awaiting);
            assertTrue(awaiting.stream().allMatch(r -> r.startsWith("GET /api/v1/namespaces/ns/pods?labelSelector=")),
                    "pod lists only, no Job GET: " + awaiting);

            cached.set(false); // the Job gone from the cache: asked of the API server, which has none either
            waitFor(Duration.ofSeconds(10), () -> !follower.isFollowing(message));
            assertFalse(follower.isFollowing(message), "the follower ended with its Job");
            assertEquals(1, drain().stream().filter(r -> r.equals("GET /apis/batch/v1/namespaces/ns/jobs/run-1")).count());
        } finally {
            follower.shutdown();
        }
    }

    private List<String> drain() throws InterruptedException {
        return RecordedRequests.drain(server);
    }

    private List<String> drainQuietly() {
        try {
            return drain();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Until {@code done} or {@code max} has passed, whichever comes first; the assertions after say which. */
    private static void waitFor(Duration max, java.util.function.BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (!done.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
    }

    @Test
    void theRunIsTheJobsOwnPodAndItsLogIsKeptForRecording() throws Exception {
        EventStore store = store();
        EventFollower follower = new EventFollower(client, store, new PodLogStream(client), TestOperatorConfig.with());
        Job job = job("run-2");
        ended(JobPod.of(job, "run-2-own00"), "2026-11-29T10:00:00Z");
        // newer, labelled as the run's, not the Job's: what another workload in the namespace could create
        ended(new PodBuilder().withNewMetadata().withName("run-2-fake0").withNamespace(NS)
                .withLabels(Map.of(Labels.JOB_NAME, "run-2")).endMetadata().build(), "2026-11-29T10:00:07Z");
        ClaudeMessage message = message("m2");
        try {
            follower.follow(message, job);
            waitFor(Duration.ofSeconds(10), () -> !follower.isFollowing(message));
            assertFalse(follower.isFollowing(message), "followed to the result");
            List<String> logsRead = RecordedRequests.drain(server).stream().filter(r -> r.contains("/log?")).toList();
            assertEquals(List.of("GET /api/v1/namespaces/ns/pods/run-2-own00/log?container=" + PodLayout.CONTAINER),
                    logsRead, "the Job's own pod only");
            String key = EventFollower.keyOf(message);
            assertTrue(store.last(key).orElseThrow().data().contains("from run-2-own00"));

            var kept = follower.finishedLog(message, job).orElseThrow();
            assertEquals("from run-2-own00", kept.outcome().result());
            assertEquals("s-run-2-own00", kept.outcome().sessionId());
            assertTrue(kept.tail().isEmpty(), "every line is in the live events already");
            Job another = new JobBuilder(job).editMetadata().withUid("uid-of-a-new-run-2").endMetadata().build();
            assertTrue(follower.finishedLog(message, another).isEmpty(), "kept for that Job (by UID) only");

            REDIS.dataSource().execute("CONFIG", "RESETSTAT");
            follower.runEnded(message, kept);
            assertTrue(follower.finishedLog(message, job).isEmpty(), "let go once recorded");
            assertFalse(REDIS.dataSource().execute("INFO", "commandstats").toString().contains("cmdstat_evalsha"),
                    "the live events are complete: ending them is no round trip");
            long ttl = REDIS.dataSource().execute("TTL", key).toLong();
            assertTrue(ttl > 0 && ttl <= TestOperatorConfig.with().events().ttlAfterFinished().toSeconds(),
                    "the result line's append set the finished stream's expiry: " + ttl);
        } finally {
            follower.shutdown();
        }
    }

    /**
     * A follower waiting for its run's pod looks again as soon as the reconciler sees the Job change (the Job controller
     * counting its pod active or ready), not after its pause: here a pause of a minute, so only the wake can bring it.
     */
    @Test
    void aChangeOfItsJobMakesAWaitingFollowerLookAtOnce() throws Exception {
        EventStore store = store();
        EventFollower follower = new EventFollower(client, store, new PodLogStream(client), 4, looks -> Duration.ofMinutes(1));
        Job job = job("run-3");
        follower.lookUpJobsIn((namespace, name) -> "run-3".equals(name));
        ClaudeMessage message = message("m3");
        try {
            follower.follow(message, job);
            Thread.sleep(500); // its first look found no pod: it waits its minute
            ended(JobPod.of(job, "run-3-pod00"), "2026-11-29T10:00:00Z");
            follower.follow(message, job); // what a reconcile of the changed Job does
            waitFor(Duration.ofSeconds(20), () -> !follower.isFollowing(message));
            assertFalse(follower.isFollowing(message), "it looked again, read the log and ended, well before its minute");
            assertTrue(store.last(EventFollower.keyOf(message)).orElseThrow().data().contains("from run-3-pod00"));
        } finally {
            follower.shutdown();
        }
    }

    /**
     * A follower stopped while it waits for its pod (its run ended, its message went) gives its thread back at once,
     * not after its pause: with one thread and a pause of a minute, the next run's follower gets it right away.
     */
    @Test
    void aStoppedFollowerGivesItsThreadBackAtOnce() throws Exception {
        EventStore store = store();
        EventFollower follower = new EventFollower(client, store, new PodLogStream(client), 1, looks -> Duration.ofMinutes(1));
        follower.lookUpJobsIn((namespace, name) -> true);
        Job waiting = job("run-4");
        Job next = job("run-5");
        ended(JobPod.of(next, "run-5-pod00"), "2026-11-29T10:00:00Z");
        ClaudeMessage first = message("m4");
        ClaudeMessage second = message("m5");
        try {
            follower.follow(first, waiting);
            Thread.sleep(500); // its first look found no pod: it waits its minute on the only thread
            follower.runEnded(first, null);
            follower.follow(second, next);
            waitFor(Duration.ofSeconds(20), () -> store.last(EventFollower.keyOf(second)).isPresent());
            assertTrue(store.last(EventFollower.keyOf(second)).map(e -> e.data().contains("from run-5-pod00")).orElse(false),
                    "the next run was followed well before the stopped one's minute was up");
        } finally {
            follower.shutdown();
        }
    }

    private EventStore store() {
        return new EventStore(REDIS.dataSource(), TestOperatorConfig.with());
    }

    /** A Job in the mock API server, with a UID of its own. */
    private Job job(String name) {
        return client.batch().v1().jobs().inNamespace(NS).resource(new JobBuilder().withNewMetadata().withName(name)
                .withUid("uid-" + name).endMetadata().build()).create();
    }

    private static ClaudeMessage message(String name) {
        ClaudeMessage message = new ClaudeMessage();
        message.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NS).withUid("uid-" + name).build());
        message.setSpec(new ClaudeMessageSpec());
        return message;
    }

    /** A pod whose claude container has ended, and its log as the API server serves it. */
    private void ended(Pod pod, String createdAt) {
        pod.getMetadata().setCreationTimestamp(createdAt);
        pod.setStatus(new PodStatusBuilder().withPhase("Succeeded").addNewContainerStatus().withName(PodLayout.CONTAINER)
                .withNewState().withNewTerminated().withExitCode(0).endTerminated().endState().endContainerStatus().build());
        client.pods().inNamespace(NS).resource(pod).create();
        String name = pod.getMetadata().getName();
        server.expect().get().withPath("/api/v1/namespaces/" + NS + "/pods/" + name + "/log?container=" + PodLayout.CONTAINER)
                .andReturn(200, String.format(LOG, name)).always();
    }
}
