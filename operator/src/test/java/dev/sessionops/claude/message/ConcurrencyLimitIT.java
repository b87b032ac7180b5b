package dev.sessionops.claude.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.sessionops.claude.OperatorConfig;
import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.api.v1alpha1.ClaudeMessageSpec;
import dev.sessionops.claude.api.v1alpha1.MessagePhase;
import dev.sessionops.claude.events.PodLogStream;
import dev.sessionops.claude.kube.Conditions;
import dev.sessionops.claude.kube.EventRecorder;
import dev.sessionops.claude.limits.RunSlots;
import dev.sessionops.claude.observability.OperatorMetrics;
import dev.sessionops.claude.testing.FakeHistoryStore;
import dev.sessionops.claude.testing.NoLiveEvents;
import dev.sessionops.claude.testing.TestContext;
import dev.sessionops.claude.testing.TestOperatorConfig;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * {@code cso.limits.max-running=5} with three namespaces submitting 100, 10 and 1 one-shot messages at once
 * (interleaved, as three clients would), driven through the message reconciler against the mock API: never more than
 * 5 Jobs unfinished, the namespace with one message starts within the first 5 Jobs, and each slot that frees goes to
 * the namespace with the fewest runs (so the 10 finish long before the 100). Waiting messages say why, once, and are
 * woken by the freed slot, not by polling.
 */
@EnableKubernetesMockClient(crud = true)
class ConcurrencyLimitIT {
    KubernetesClient client;

    @Test
    void jobsStartFairlyAcrossNamespacesWithinTheLimit() {
        OperatorConfig config = TestOperatorConfig.with("cso.defaults.credentials-secret", "anthropic",
                "cso.limits.max-running", "5", "cso.job.keep-after-record", "0s");
        RunSlots slots = new RunSlots(config, client);
        Deque<String> woken = new ArrayDeque<>();
        slots.onGrant(c -> woken.add(c.namespace() + "/" + c.owner()));
        ClaudeMessageReconciler reconciler = new ClaudeMessageReconciler(new RunPlanner(client, config), new FakeHistoryStore(),
                new JobLogs(client, new PodLogStream(client)), new EventRecorder(client), config,
                new OperatorMetrics(new SimpleMeterRegistry()), new NoLiveEvents(), slots);

        Map<String, Integer> sizes = new LinkedHashMap<>(Map.of("big", 100, "mid", 10, "one", 1));
        List<String> submitted = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            for (var ns : sizes.entrySet()) {
                if (i < ns.getValue()) {
                    submitted.add(create(ns.getKey(), ns.getKey() + "-" + i));
                }
            }
        }
        List<String> started = new ArrayList<>();
        List<String> running = new ArrayList<>();
        int maxRunning = 0;
        for (String m : submitted) {
            reconcile(reconciler, m, null);
            collectStarted(m, started, running);
        }
        assertEquals(5, started.size(), started.toString());
        assertTrue(started.contains("one/one-0"), "the namespace of one message starts within the first 5: " + started);
        ClaudeMessage waiting = get("big/big-50");
        assertEquals(MessagePhase.Queued, waiting.getStatus().getPhase());
        var condition = Conditions.find(waiting.getStatus().getConditions(), ClaudeMessageReconciler.SUCCEEDED).orElseThrow();
        assertEquals(Reasons.CONCURRENCY_LIMIT, condition.getReason());
        assertTrue(condition.getMessage().contains("at most 5 at once in all (cso.limits.max-running)"), condition.getMessage());
        String asked = waiting.getMetadata().getResourceVersion();
        reconcile(reconciler, "big/big-50", null);
        assertEquals(asked, get("big/big-50").getMetadata().getResourceVersion(), "no status write while its state is the same");

        // the oldest run finishes, its message is reconciled with its finished Job; the freed slot wakes a waiter
        while (!running.isEmpty()) {
            String done = running.remove(0);
            reconcile(reconciler, done, finished(done));
            while (!woken.isEmpty()) {
                String next = woken.poll();
                reconcile(reconciler, next, null);
                collectStarted(next, started, running);
            }
            maxRunning = Math.max(maxRunning, running.size());
            assertTrue(running.size() <= 5, "never more than 5 Jobs unfinished: " + running);
        }
        assertEquals(111, started.size(), "every message ran once");
        assertEquals(5, maxRunning);
        int lastMid = started.lastIndexOf(started.stream().filter(s -> s.startsWith("mid/")).reduce((a, b) -> b).orElseThrow());
        assertTrue(lastMid < 40, "the 10 of mid are not held behind the 100 of big: last started " + lastMid + "th, " + started);
    }

    private String create(String ns, String name) {
        if (client.namespaces().withName(ns).get() == null) {
            client.namespaces().resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder().withNewMetadata().withName(ns)
                    .endMetadata().build()).create();
        }
        ClaudeMessage m = new ClaudeMessage();
        m.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(ns).build());
        m.setSpec(new ClaudeMessageSpec());
        m.getSpec().setPrompt("Hello " + name);
        client.resource(m).create();
        return ns + "/" + name;
    }

    private ClaudeMessage get(String key) {
        String[] nsName = key.split("/");
        return client.resources(ClaudeMessage.class).inNamespace(nsName[0]).withName(nsName[1]).get();
    }

    private Job jobOf(String key) {
        ClaudeMessage m = get(key);
        return m.getStatus() == null || m.getStatus().getJobName() == null ? null
                : client.batch().v1().jobs().inNamespace(m.getMetadata().getNamespace()).withName(m.getStatus().getJobName()).get();
    }

    private void collectStarted(String key, List<String> started, List<String> running) {
        if (!started.contains(key) && jobOf(key) != null) {
            started.add(key);
            running.add(key);
        }
    }

    /** Its Job as the informer shows it once failed (the pod and its log gone): the run ends, its slot frees. */
    private Job finished(String key) {
        Job job = jobOf(key);
        job.setStatus(new JobStatusBuilder().addNewCondition().withType("Failed").withStatus("True").withReason("BackoffLimitExceeded")
                .endCondition().build());
        return job;
    }

    private void reconcile(ClaudeMessageReconciler reconciler, String key, Job job) {
        ClaudeMessage m = get(key);
        TestContext<ClaudeMessage> context = new TestContext<>(m, client);
        Job current = job != null ? job : jobOf(key);
        reconciler.reconcile(m, current == null ? context : context.with(Job.class, current));
    }
}
