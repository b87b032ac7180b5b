package dev.sessionops.claude.real;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.api.v1alpha1.ClaudeSession;
import dev.sessionops.claude.api.v1alpha1.KeyRef;
import dev.sessionops.claude.api.v1alpha1.MessagePhase;
import dev.sessionops.claude.api.v1alpha1.PromptSource;
import dev.sessionops.claude.e2e.Harness;
import dev.sessionops.claude.history.ConversationKey;
import dev.sessionops.claude.history.HistoryStore;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;

/**
 * A finished run is never lost and never recorded twice, whatever dies when: the operator SIGKILLed at each step of
 * a message's life (the fault table), Redis down while a run finishes and its Job is deleted by the real TTL
 * controller, a session deleted while its Job runs and created again under the same name. On the real tier: the Job
 * controller, the TTL controller, RBAC and garbage collection are Kubernetes' own. The replicas started here delete a
 * recorded Job at once and have the TTL controller delete every finished Job after 3 s, recorded or not; the tier's
 * own settings are back when the class ends.
 */
@ExtendWith(RealOperatorTier.Shared.class)
class ReliabilityE2E {
    private static final Map<String, String> SHORT_LIVED_JOBS = Map.of("cso.job.ttl-seconds-after-finished", "3",
            "cso.job.keep-after-record", "0s");
    private static final String MESSAGE_ROLE = "claudemessage-cluster-role";
    private static final AtomicInteger REPLICAS = new AtomicInteger();

    static RealOperatorTier env;
    static KubernetesClient admin;
    static HistoryStore history;

    @BeforeAll
    static void start(RealOperatorTier shared) {
        env = shared;
        admin = env.admin;
        history = env.history.history();
        crashLeader(); // a leader of short-lived Jobs for the class
    }

    @AfterAll
    static void restoreTheTiersLeader() {
        if (env != null) {
            OperatorProcess normal = env.startOperator("after-reliability-" + REPLICAS.incrementAndGet());
            env.crashLeaderInFavourOf(normal);
        }
    }

    /** SIGKILL the leader; a new replica (short-lived Jobs) takes over. */
    private static OperatorProcess crashLeader() {
        OperatorProcess next = env.startOperator("reliable-" + REPLICAS.incrementAndGet(), SHORT_LIVED_JOBS);
        env.crashLeaderInFavourOf(next);
        return next;
    }

    // --- the fault table: killed at each step, one Job run, one record, the right final status

    @Test
    void killedBeforeTheJobIsCreated() {
        String ns = Harness.namespace(admin, "kill-before");
        Harness.session(admin, ns, "s", s -> {
        });
        Harness.message(admin, ns, "s-01", "s", null, m -> m.setPromptFrom(new PromptSource(new KeyRef("late", "prompt.md"))));
        assertEquals("ConfigMapNotFound", Harness.reason(Harness.awaitPhase(admin, ns, "s-01", MessagePhase.Pending)));

        crashLeader();
        admin.configMaps().inNamespace(ns).resource(new ConfigMapBuilder().withNewMetadata().withName("late").endMetadata()
                .withData(Map.of("prompt.md", "Wait for the prompt")).build()).create();

        assertRanOnceAndRecordedOnce(ns, "s", "s-01");
    }

    @Test
    void killedWhileItsJobRuns() {
        String ns = Harness.namespace(admin, "kill-running");
        Harness.session(admin, ns, "s", s -> {
        });
        Harness.message(admin, ns, "s-01", "s", "[[sleep 8000]] Outlive the operator");
        await().atMost(Duration.ofSeconds(60)).until(() -> !env.kubelet.mainRuns(ns).isEmpty());

        crashLeader();

        assertRanOnceAndRecordedOnce(ns, "s", "s-01");
    }

    /**
     * Redis has the run, the status write never lands (the operator may not write message status for a moment), the
     * operator dies, and the Job with its pod is gone before the next one starts: Succeeded, from what Redis kept.
     */
    @Test
    void killedAfterRecordingBeforeTheStatusWithTheJobGone() {
        String ns = Harness.namespace(admin, "kill-recorded");
        Harness.session(admin, ns, "s", s -> {
        });
        ClusterRole role = admin.rbac().clusterRoles().withName(MESSAGE_ROLE).get();
        OperatorProcess blind = env.leader();
        admin.rbac().clusterRoles().withName(MESSAGE_ROLE).edit(r -> {
            r.getRules().forEach(rule -> rule.getResources().remove("claudemessages/status"));
            return r;
        });
        try {
            Harness.message(admin, ns, "s-01", "s", "Recorded, never stated");
            ConversationKey key = Harness.conversation(admin, ns, "s");
            await().atMost(Duration.ofSeconds(90)).until(() -> history.length(key) == 2);
            ClaudeMessage unstated = Harness.get(admin, ns, "s-01");
            assertTrue(unstated.getStatus() == null || unstated.getStatus().getPhase() != MessagePhase.Succeeded);
            blind.kill();
            env.retire(blind); // its log holds the 403s this test caused
        } finally {
            role.getMetadata().setResourceVersion(null);
            admin.rbac().clusterRoles().resource(role).update();
        }
        admin.batch().v1().jobs().inNamespace(ns).delete(); // the pod and its log go with it
        await().atMost(Duration.ofSeconds(60)).until(() -> admin.pods().inNamespace(ns).list().getItems().isEmpty());

        OperatorProcess next = env.startOperator("reliable-" + REPLICAS.incrementAndGet(), SHORT_LIVED_JOBS);
        await().atMost(Duration.ofSeconds(90)).until(next::isReconciling);
        env.leaderIs(next);

        ClaudeMessage done = assertRanOnceAndRecordedOnce(ns, "s", "s-01");
        assertNotNull(done.getStatus().getCostUsd());
        assertNotNull(done.getStatus().getSessionId());
    }

    @Test
    void killedAfterTheStatus() {
        String ns = Harness.namespace(admin, "kill-after");
        Harness.session(admin, ns, "s", s -> {
        });
        Harness.message(admin, ns, "s-01", "s", "Done before the crash");
        ClaudeMessage done = Harness.awaitPhase(admin, ns, "s-01", MessagePhase.Succeeded);

        crashLeader();
        Harness.message(admin, ns, "s-02", "s", "After the crash");
        Harness.awaitPhase(admin, ns, "s-02", MessagePhase.Succeeded);

        ClaudeMessage after = Harness.get(admin, ns, "s-01");
        assertEquals(Serialization.asJson(done.getStatus()), Serialization.asJson(after.getStatus()), "not touched again");
        assertEquals(2, env.kubelet.mainRuns(ns).size(), "one run each");
        assertEquals(4, history.length(Harness.conversation(admin, ns, "s")));
        await().atMost(Duration.ofSeconds(30)).until(() -> Harness.jobs(admin, ns).isEmpty());
    }

    /**
     * spec.cancel on a running message: its Job is deleted in the foreground, the real garbage collector deletes the
     * pod, the kubelet sends SIGTERM to the container's shell, which hands the CLI a SIGINT; the CLI ends its turn and
     * prints its result. The message ends Cancelled within seconds with what the run cost, and the next message
     * resumes the last succeeded turn.
     */
    @Test
    void cancelStopsARunningMessageGracefullyAndTheSessionGoesOn() {
        String ns = Harness.namespace(admin, "cancel");
        Harness.session(admin, ns, "s", s -> s.setAllowedTools(List.of("Bash(timeout:*)")));
        Harness.message(admin, ns, "s-01", "s", "Hello");
        String first = Harness.awaitPhase(admin, ns, "s-01", MessagePhase.Succeeded).getStatus().getSessionId();
        // a command line only this test's tool runs (the CLI refuses a long sleep outright; it reads only in the
        // workspace); the tool's own process, since the CLI's command line holds no prompt
        String marker = "timeout 63" + ns.length() + " tail -F ./cancel-" + ns;
        Harness.message(admin, ns, "s-02", "s", "[[tool Bash {\"command\":\"" + marker + "\"}]]");
        await().atMost(Duration.ofSeconds(60)).until(() -> ProcessHandle.allProcesses().anyMatch(p -> {
            String line = p.info().commandLine().orElse("");
            return line.equals(marker) || line.endsWith("/" + marker);
        }));

        long asked = System.nanoTime();
        Harness.cancel(admin, ns, "s-02");
        ClaudeMessage stopped = Harness.awaitPhase(admin, ns, "s-02", MessagePhase.Cancelled);
        assertTrue(Duration.ofNanos(System.nanoTime() - asked).toSeconds() < 30, "stopped, not waited out");
        assertEquals("Cancelled", Harness.reason(stopped));
        assertTrue(Harness.conditionMessage(stopped).contains("its cost is recorded"), Harness.conditionMessage(stopped));
        assertNotNull(stopped.getStatus().getCostUsd());

        Harness.message(admin, ns, "s-03", "s", "Go on");
        ClaudeMessage next = Harness.awaitPhase(admin, ns, "s-03", MessagePhase.Succeeded);
        assertEquals(first, next.getStatus().getResumedFrom());
        assertEquals(3, env.kubelet.mainRuns(ns).size(), "one run each");
        assertEquals(4, history.length(Harness.conversation(admin, ns, "s")), "two succeeded turns; the cancelled one adds none");
    }

    // --- Redis, the TTL controller, and a name used again

    /**
     * Redis stops while a run is under way and stays down past the Job's TTL: the TTL controller deletes the Job and
     * its pod (its log) while the run waits, kept in the message's status. Redis back, the message is Succeeded with
     * its result and its turn recorded: a run that happened is never reported as deleted.
     */
    @Test
    void redisDownLongerThanTheJobsTtlLosesNothing() {
        String ns = Harness.namespace(admin, "ttl");
        Harness.session(admin, ns, "s", s -> {
        });
        Harness.message(admin, ns, "s-01", "s", "[[sleep 3000]] Finish while Redis is away");
        await().atMost(Duration.ofSeconds(60)).until(() -> !env.kubelet.mainRuns(ns).isEmpty());
        env.redis.stop();
        try {
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                ClaudeMessage waiting = Harness.get(admin, ns, "s-01");
                assertEquals("HistoryStoreUnavailable", Harness.reason(waiting));
                assertNotNull(waiting.getStatus().getPendingRecord(), "the run kept in the status");
            });
            await().atMost(Duration.ofSeconds(60)).until(() -> Harness.jobs(admin, ns).isEmpty()); // the TTL controller
            await().pollDelay(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() -> true);
            assertEquals(MessagePhase.Running, Harness.get(admin, ns, "s-01").getStatus().getPhase(), "not JobDeleted");
        } finally {
            env.redis.start();
        }

        ClaudeMessage done = Harness.awaitPhase(admin, ns, "s-01", MessagePhase.Succeeded);
        assertTrue(done.getStatus().getResult().startsWith("Received 1 messages"), done.getStatus().getResult());
        assertNull(done.getStatus().getPendingRecord());
        var entries = history.history(Harness.conversation(admin, ns, "s"), 0, -1);
        assertEquals(List.of("user", "assistant"), entries.stream().map(e -> e.role()).toList());
        assertTrue(entries.get(0).content().contains("Finish while Redis is away"));
    }

    @Test
    void aSessionDeletedWhileItsJobRunsAndCreatedAgainStartsEmpty() {
        String ns = Harness.namespace(admin, "again");
        Harness.session(admin, ns, "s", s -> {
        });
        Harness.message(admin, ns, "s-01", "s", "Hello");
        String firstId = Harness.awaitPhase(admin, ns, "s-01", MessagePhase.Succeeded).getStatus().getSessionId();
        Harness.message(admin, ns, "s-02", "s", "[[sleep 6000]] Outlive my session");
        await().atMost(Duration.ofSeconds(60)).until(() -> env.kubelet.mainRuns(ns).size() == 2);
        ConversationKey old = Harness.conversation(admin, ns, "s");

        admin.resources(ClaudeSession.class).inNamespace(ns).withName("s").delete();
        await().atMost(Duration.ofSeconds(60)).until(() -> Harness.getSession(admin, ns, "s") == null);
        Harness.session(admin, ns, "s", s -> {
        });
        Harness.message(admin, ns, "s-03", "s", "Who are you?");

        ClaudeMessage fresh = Harness.awaitPhase(admin, ns, "s-03", MessagePhase.Succeeded);
        assertNull(fresh.getStatus().getResumedFrom(), "a new conversation, not " + firstId);
        assertTrue(fresh.getStatus().getResult().startsWith("Received 1 messages"), fresh.getStatus().getResult());
        ConversationKey current = Harness.conversation(admin, ns, "s");
        assertEquals(2, history.length(current));
        // the deleted session's run ends (or is stopped) later: it writes nothing anywhere
        await().pollDelay(Duration.ofSeconds(8)).atMost(Duration.ofSeconds(10)).until(() -> true);
        assertEquals(0, history.length(old));
        assertEquals(2, history.length(current));
        assertEquals(1, Harness.getSession(admin, ns, "s").getStatus().getMessageCount());
    }

    /** One container run of the message, its turn recorded once, Succeeded once, and its Job deleted by the operator. */
    private static ClaudeMessage assertRanOnceAndRecordedOnce(String ns, String session, String message) {
        ClaudeMessage done = Harness.awaitPhase(admin, ns, message, MessagePhase.Succeeded);
        assertTrue(done.getStatus().getResult().startsWith("Received 1 messages"), done.getStatus().getResult());
        assertEquals(1, env.kubelet.mainRuns(ns).size(), "one run");
        assertEquals(2, history.length(Harness.conversation(admin, ns, session)), "recorded once");
        await().atMost(Duration.ofSeconds(30)).until(() -> Harness.jobs(admin, ns).isEmpty());
        await().atMost(Duration.ofSeconds(10)).until(() -> Harness.events(admin, ns, message).stream()
                .anyMatch(e -> "Succeeded".equals(e.getReason())));
        assertEquals(1, Harness.events(admin, ns, message).stream().filter(e -> "Succeeded".equals(e.getReason()))
                .mapToInt(e -> e.getCount() == null ? 1 : e.getCount()).sum(), "one Succeeded event");
        return done;
    }
}
