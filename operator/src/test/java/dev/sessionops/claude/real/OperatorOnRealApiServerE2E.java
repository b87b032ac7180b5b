package dev.sessionops.claude.real;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.api.v1alpha1.ClaudeSession;
import dev.sessionops.claude.api.v1alpha1.MessagePhase;
import dev.sessionops.claude.e2e.Harness;
import dev.sessionops.claude.e2e.Scenarios;
import dev.sessionops.claude.e2e.Tier;
import dev.sessionops.claude.events.EventFollower;
import dev.sessionops.claude.history.ConversationKey;
import dev.sessionops.claude.kube.StaleResourceException;
import dev.sessionops.claude.kube.StatusWriter;
import dev.sessionops.claude.api.wire.ApiPaths;
import dev.sessionops.claude.local.RealKubelet;
import dev.sessionops.claude.testing.Kubectl;
import dev.sessionops.claude.testing.StandaloneRedis;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuotaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;

/**
 * The packaged operator (target/quarkus-app) against a real kube-apiserver, etcd and kube-controller-manager, running
 * as a ServiceAccount bound to exactly the RBAC the build generates, with {@link RealKubelet} running the real Job
 * controller's Pods (the real claude CLI against the fake Anthropic API) and serving their logs through the API
 * server. This tier proves what the mock cannot: schema validation, the status subresource, the real Job controller
 * deciding success, failure and deadline, pod logs, RBAC, and garbage collection after the session's finalizer. The
 * environment ({@link RealOperatorTier}) is shared with {@link AggregatedApiE2E}, which tests the read API through the
 * API server's aggregation layer.
 */
@ExtendWith(RealOperatorTier.Shared.class)
class OperatorOnRealApiServerE2E {
    static RealOperatorTier env;
    static KubernetesClient admin;
    static RealKubelet kubelet;
    static StandaloneRedis history;
    static Tier tier;

    @BeforeAll
    static void start(RealOperatorTier shared) {
        env = shared;
        admin = env.admin;
        kubelet = env.kubelet;
        history = env.history;
        tier = env.tier;
    }

    /** Every API call the operator made was allowed by its generated RBAC. */
    @AfterEach
    void operatorWasNeverForbidden() {
        env.assertOperatorsWereNeverForbidden();
    }

    // --- the scenarios of the mock tier, on the real API server and controllers

    @Test
    void threeMessageConversation() {
        Scenarios.threeMessageConversation(tier);
    }

    @Test
    void apiErrorThenResumeLastGoodSession() {
        Scenarios.apiErrorThenResumeLastGoodSession(tier);
    }

    @Test
    void lostStateVolumeThenReset() {
        Scenarios.lostStateVolumeThenReset(tier);
    }

    @Test
    void runPastItsTimeoutFailsWithDeadlineExceeded() {
        Scenarios.runPastItsTimeoutFailsWithDeadlineExceeded(tier);
    }

    // --- what only the real tier can show

    @Test
    void operatorReportsWhatTheOldSchemaCannotAndRbacIsEnforced() {
        String ns = Harness.namespace(admin, "plain");
        // 1.20 ignores the CRD's CEL rules: the operator's own check reports the plain-text credential
        Harness.session(admin, ns, "plain", s -> s.setEnv(List.of(new EnvVar("ANTHROPIC_API_KEY", "sk-plain", null))));
        Harness.message(admin, ns, "plain-01", "plain", "Hello");
        assertEquals("PlainTextCredential", Harness.reason(Harness.awaitPhase(admin, ns, "plain-01", MessagePhase.Failed)));
        await().atMost(Duration.ofSeconds(10)).until(() -> Harness.events(admin, ns, "plain-01").stream()
                .anyMatch(e -> "PlainTextCredential".equals(e.getReason())));
        assertTrue(Harness.jobs(admin, ns).isEmpty());

        // RBAC is enforced: the operator's identity may not do what it was not granted
        var forbidden = assertThrows(KubernetesClientException.class, () -> env.asOperator.namespaces().withName(ns).delete());
        assertEquals(403, forbidden.getCode());
        var noSecretList = assertThrows(KubernetesClientException.class, () -> env.asOperator.secrets().inNamespace(ns).list());
        assertEquals(403, noSecretList.getCode(), "the operator may get a Secret by name, never list them");
    }

    /**
     * What the session's claim and every status write rest on: the API server refuses a status patch carrying a
     * resourceVersion it has moved past (the mock server agrees; this is the one that counts).
     */
    @Test
    void theApiServerRefusesAStatusWriteFromAStaleCopy() {
        String ns = Harness.namespace(admin, "stale");
        Harness.session(admin, ns, "stale", s -> s.setSuspend(true));
        var sessions = admin.resources(ClaudeSession.class).inNamespace(ns).withName("stale");
        await().atMost(Duration.ofSeconds(30)).until(() -> sessions.get().getStatus() != null);
        ClaudeSession[] read = new ClaudeSession[1];
        await().atMost(Duration.ofSeconds(30)).ignoreException(StaleResourceException.class).untilAsserted(() -> {
            read[0] = sessions.get();
            var changed = Serialization.clone(read[0].getStatus());
            changed.setLastActive(java.time.Instant.now().toString()); // a real change: a no-op keeps the version
            ClaudeSession written = StatusWriter.write(admin, read[0], changed); // at the version read: written
            assertNotEquals(read[0].getMetadata().getResourceVersion(), written.getMetadata().getResourceVersion());
        });
        var other = Serialization.clone(read[0].getStatus());
        other.setLastActive("2000-01-01T00:00:00Z");
        assertThrows(StaleResourceException.class, () -> StatusWriter.write(admin, read[0], other),
                "the copy read before that write is stale now");
    }

    @Test
    void deletingASessionRemovesItsHistoryThenGarbageCollectionRemovesTheRest() {
        String ns = Harness.namespace(admin, "gone");
        Harness.session(admin, ns, "gone", s -> {
        });
        Harness.message(admin, ns, "gone-01", "gone", "Hello before goodbye");
        Harness.awaitPhase(admin, ns, "gone-01", MessagePhase.Succeeded);
        // the session's workflow created the head's Job by a plain create, not a server-side apply (HeadJobDependent):
        // the API server records which in the Job's managedFields (the mock tier has no apply at all)
        var job = admin.batch().v1().jobs().inNamespace(ns).withLabel("claude.sessionops.dev/session", "gone").list()
                .getItems().get(0);
        assertEquals(List.of("Update"), job.getMetadata().getManagedFields().stream()
                .filter(f -> !"kube-controller-manager".equals(f.getManager())).map(f -> f.getOperation()).distinct().toList(),
                String.valueOf(job.getMetadata().getManagedFields()));
        ConversationKey key = Harness.conversation(admin, ns, "gone");
        assertEquals(2, history.history().history(key, 0, -1).size());
        assertEquals(1, admin.persistentVolumeClaims().inNamespace(ns).list().getItems().size(), "state volume");

        admin.resources(ClaudeSession.class).inNamespace(ns).withName("gone").delete();
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertTrue(admin.resources(ClaudeSession.class).inNamespace(ns).list().getItems().isEmpty());
            assertTrue(admin.resources(ClaudeMessage.class).inNamespace(ns).list().getItems().isEmpty());
            assertTrue(admin.batch().v1().jobs().inNamespace(ns).withLabel("claude.sessionops.dev/session", "gone").list().getItems().isEmpty());
            assertTrue(admin.pods().inNamespace(ns).withLabel("claude.sessionops.dev/session", "gone").list().getItems().isEmpty());
            assertTrue(admin.persistentVolumeClaims().inNamespace(ns).withLabel("claude.sessionops.dev/session", "gone").list().getItems().isEmpty());
        });
        assertEquals(0L, history.dataSource().execute("EXISTS", key.history(), key.meta(), key.chain(), key.applied(), key.outcomes(),
                key.index()).toLong());
    }

    /**
     * A second replica waits while the first holds the Lease; the first crashes while a Job runs; the second takes
     * over and records the message exactly once, without a second Job; the read API, moved to it, serves the whole
     * conversation.
     */
    @Test
    void aReplicaTakesOverAfterACrashWithoutRunningAMessageTwice() throws Exception {
        String ns = Harness.namespace(admin, "restart");
        Harness.session(admin, ns, "r", s -> {
        });
        // long enough to be still running when the leader is killed below (the standby's start takes a few seconds)
        Harness.message(admin, ns, "r-01", "r", "[[sleep 20000]] Survive a restart");
        await().atMost(Duration.ofSeconds(60)).until(() -> !kubelet.mainRuns(ns).isEmpty());
        assertEquals(MessagePhase.Running, Harness.get(admin, ns, "r-01").getStatus().getPhase());
        OperatorProcess operator = env.leader();
        assertEquals(operator.identity(), env.leaseHolder());

        OperatorProcess standby = env.startOperator("second-" + env.operators().size());
        // while the leader renews its Lease, the standby (caches warm) processes no event
        await().atMost(Duration.ofSeconds(60)).until(() -> standby.log().contains("started in"));
        await().pollDelay(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(4)).until(standby::isAlive);
        assertFalse(standby.isReconciling(), standby.log());
        assertTrue(operator.isReconciling());
        assertEquals(operator.identity(), env.leaseHolder());
        assertEquals(MessagePhase.Running, Harness.get(admin, ns, "r-01").getStatus().getPhase(), "killed while it runs");

        operator.kill();
        await().atMost(Duration.ofSeconds(60)).until(standby::isReconciling);
        assertEquals(standby.identity(), env.leaseHolder());
        env.leaderIs(standby);

        ClaudeMessage done = Harness.awaitPhase(admin, ns, "r-01", MessagePhase.Succeeded);
        assertTrue(done.getStatus().getResult().startsWith("Received 1 messages"), done.getStatus().getResult());
        assertEquals(1, Harness.jobs(admin, ns).size(), "one Job");
        assertEquals(1, kubelet.mainRuns(ns).size(), "one run");
        assertEquals(2, history.history().history(Harness.conversation(admin, ns, "r"), 0, -1).size(), "recorded once");
        // the Event follows the status write (a crash between them must not announce the outcome twice)
        await().atMost(Duration.ofSeconds(10)).until(() -> Harness.events(admin, ns, "r-01").stream()
                .anyMatch(e -> "Succeeded".equals(e.getReason())));
        assertEquals(1, Harness.events(admin, ns, "r-01").stream().filter(e -> "Succeeded".equals(e.getReason()))
                .mapToInt(e -> e.getCount() == null ? 1 : e.getCount()).sum(), "one Succeeded event");
        // the live events: the new leader went on following the log where the crashed one stopped, nothing twice
        assertEquals(RealOperatorTier.eventLines(kubelet.mainRuns(ns).get(0).log()), env.streamData(EventFollower.keyOf(done)));
        // and the new leader carries on with the next message, resuming the conversation
        Harness.message(admin, ns, "r-02", "r", "After the restart");
        ClaudeMessage next = Harness.awaitPhase(admin, ns, "r-02", MessagePhase.Succeeded);
        assertEquals(done.getStatus().getSessionId(), next.getStatus().getResumedFrom());

        // the read API goes on too: the APIService moved to the new leader, which serves the whole conversation
        env.routeApiServiceToLeader();
        Kubectl.Result history = Kubectl.run(env.cluster.kubeconfig(RealOperatorTier.WORK.resolve("admin.kubeconfig")),
                Duration.ofSeconds(60), "get", "--raw", ApiPaths.BASE + "/namespaces/" + ns + "/sessions/r/history");
        assertEquals(0, history.exitCode(), history.toString());
        assertEquals(4, new ObjectMapper().readTree(history.stdout()).path("total").asLong(), history.stdout());
    }

    /**
     * A rollout or a node drain: SIGTERM ends the leader within seconds (leader election on, as in production) and it
     * hands its Lease back, so the standby takes over on its next retry instead of waiting the Lease out.
     */
    @Test
    void sigtermStopsTheLeaderWithinSecondsAndTheStandbyTakesOverAtOnce() {
        OperatorProcess operator = env.leader();
        assertEquals(operator.identity(), env.leaseHolder());
        OperatorProcess standby = env.startOperator("second-" + env.operators().size());
        await().atMost(Duration.ofSeconds(60)).until(() -> standby.log().contains("started in"));
        assertFalse(standby.isReconciling(), standby.log());

        Duration exit = operator.terminate(Duration.ofSeconds(30));
        assertTrue(exit.compareTo(Duration.ofSeconds(10)) < 0, "exited " + exit + " after SIGTERM:\n" + operator.log());
        // the Lease lasts 6 s from the last renewal: taken within 4 s means it was released, not waited out
        await().atMost(Duration.ofSeconds(4)).until(() -> standby.identity().equals(env.leaseHolder()));
        await().atMost(Duration.ofSeconds(30)).until(standby::isReconciling);
        env.leaderIs(standby);
        env.routeApiServiceToLeader();

        // and it reconciles: a message runs under the new leader
        String ns = Harness.namespace(admin, "sigterm");
        Harness.session(admin, ns, "t", s -> {
        });
        Harness.message(admin, ns, "t-01", "t", "After a rollout");
        Harness.awaitPhase(admin, ns, "t-01", MessagePhase.Succeeded);
    }

    /**
     * The namespace's ResourceQuota refuses the head's Job: the message waits Pending/QuotaExceeded (a condition,
     * not an error loop), and runs once the quota allows it.
     */
    @Test
    void aQuotaRefusalWaitsAndTheMessageRunsOnceThereIsRoom() {
        String ns = Harness.namespace(admin, "quota");
        admin.resource(new ResourceQuotaBuilder().withNewMetadata().withName("no-jobs").withNamespace(ns).endMetadata()
                .withNewSpec().addToHard("count/jobs.batch", new Quantity("0")).endSpec().build()).create();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            var quota = admin.resourceQuotas().inNamespace(ns).withName("no-jobs").get();
            return quota.getStatus() != null && quota.getStatus().getHard() != null
                    && quota.getStatus().getHard().containsKey("count/jobs.batch");
        });
        Harness.session(admin, ns, "q", s -> {
        });
        Harness.message(admin, ns, "q-01", "q", "Wait for room");
        await().atMost(Duration.ofSeconds(60)).until(() -> "QuotaExceeded".equals(Harness.reason(Harness.get(admin, ns, "q-01"))));
        ClaudeMessage waiting = Harness.get(admin, ns, "q-01");
        assertEquals(MessagePhase.Pending, waiting.getStatus().getPhase());
        assertTrue(Harness.conditionMessage(waiting).contains("exceeded quota"), Harness.conditionMessage(waiting));
        assertEquals(0, Harness.jobs(admin, ns).size());
        var sessionStatus = admin.resources(ClaudeSession.class).inNamespace(ns).withName("q").get().getStatus();
        assertTrue(sessionStatus == null || sessionStatus.getConditions().stream()
                .noneMatch(c -> "ReconcileError".equals(c.getType())), "a refusal is the message's condition, not an error");

        admin.resourceQuotas().inNamespace(ns).withName("no-jobs").delete();
        Harness.awaitPhase(admin, ns, "q-01", MessagePhase.Succeeded);
        assertEquals(1, Harness.jobs(admin, ns).size());
    }

    /** Every bad input the 1.20 schema can express is refused by the API server, naming the field; unknown fields are pruned. */
    @Test
    void apiServerRejectsWhatTheSchemaExpressesAndPrunesUnknownFields() {
        String ns = "schema";
        admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
        Map<String, String> bad = new java.util.LinkedHashMap<>();
        bad.put("permissionMode: yolo", "spec.permissionMode");
        bad.put("effort: extreme", "spec.effort");
        bad.put("maxTurns: 0", "spec.maxTurns");
        bad.put("maxBudgetUsd: -1.5", "spec.maxBudgetUsd");
        bad.put("maxBudgetUsd: 0", "spec.maxBudgetUsd");
        bad.put("timeout: soon", "spec.timeout");
        bad.put("sessionRef: {}", "spec.sessionRef.name");
        bad.put("promptFrom: {configMapKeyRef: {name: cm}}", "spec.promptFrom.configMapKeyRef.key");
        // sizes: what the operator renders, what the Job spec and the prompt's ConfigMap hold stay bounded
        bad.put("systemPrompt: " + "s".repeat(65537), "spec.systemPrompt");
        bad.put("variables: {" + java.util.stream.IntStream.range(0, 257).mapToObj(n -> "v" + n + ": x")
                .collect(java.util.stream.Collectors.joining(", ")) + "}", "spec.variables");
        bad.put("allowedTools: [" + "Bash, ".repeat(256) + "Read]", "spec.allowedTools");
        int i = 0;
        for (var entry : bad.entrySet()) {
            assertRejected(ns, "ClaudeMessage", "bad-" + (i++), "prompt: hi\n  " + entry.getKey(), entry.getValue());
        }
        // a session's tokens and switches: what reaches status, Events and the log is a plain token
        Map<String, String> badSession = new java.util.LinkedHashMap<>();
        badSession.put("resetConversation: \"two\\nlines\"", "spec.resetConversation");
        badSession.put("resetConversation: " + "x".repeat(65), "spec.resetConversation");
        badSession.put("onFailure: retry", "spec.onFailure");
        for (var entry : badSession.entrySet()) {
            assertRejected(ns, "ClaudeSession", "bad-s-" + (i++), entry.getKey(), entry.getValue());
        }
        assertRejected(ns, "ClaudeMessage", "too-long", "prompt: " + "p".repeat(131073), "spec.prompt");
        var noSpec = assertThrows(KubernetesClientException.class, () -> admin.resource(
                "apiVersion: claude.sessionops.dev/v1alpha1\nkind: ClaudeMessage\nmetadata: {name: no-spec}\n").inNamespace(ns).create());
        assertEquals(422, noSpec.getCode());
        String withUnknown = "apiVersion: claude.sessionops.dev/v1alpha1\nkind: ClaudeSession\nmetadata: {name: pruned}\n"
                + "spec:\n  model: sonnet\n  temperature: 0.2\n";
        admin.resource(withUnknown).inNamespace(ns).create();
        var stored = admin.genericKubernetesResources("claude.sessionops.dev/v1alpha1", "ClaudeSession").inNamespace(ns)
                .withName("pruned").get();
        @SuppressWarnings("unchecked")
        Map<String, Object> spec = (Map<String, Object>) stored.getAdditionalProperties().get("spec");
        assertEquals("sonnet", spec.get("model"));
        assertTrue(!spec.containsKey("temperature"), "unknown field pruned: " + spec);
    }


    /** The API server refuses the object with 422, naming {@code field}. */
    private static void assertRejected(String ns, String kind, String name, String specYaml, String field) {
        String yaml = "apiVersion: claude.sessionops.dev/v1alpha1\nkind: " + kind + "\nmetadata: {name: " + name
                + "}\nspec:\n  " + specYaml + "\n";
        var e = assertThrows(KubernetesClientException.class, () -> admin.resource(yaml).inNamespace(ns).create(), specYaml);
        assertEquals(422, e.getCode(), specYaml);
        assertTrue(e.getMessage().contains(field), specYaml + " -> " + e.getMessage());
    }
}
