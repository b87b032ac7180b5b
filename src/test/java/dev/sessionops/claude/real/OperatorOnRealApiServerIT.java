package dev.sessionops.claude.real;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.FileInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.api.v1alpha1.ClaudeSession;
import dev.sessionops.claude.api.v1alpha1.MessagePhase;
import dev.sessionops.claude.e2e.ApiClient;
import dev.sessionops.claude.e2e.Harness;
import dev.sessionops.claude.e2e.SseClient;
import dev.sessionops.claude.events.EventFollower;
import dev.sessionops.claude.e2e.Scenarios;
import dev.sessionops.claude.e2e.Tier;
import dev.sessionops.claude.history.ConversationKey;
import dev.sessionops.claude.testing.ClaudeBinary;
import dev.sessionops.claude.testing.FakeAnthropicApi;
import dev.sessionops.claude.local.LocalKubelet;
import dev.sessionops.claude.testing.RealControlPlane;
import dev.sessionops.claude.local.RealKubelet;
import dev.sessionops.claude.local.RedisServer;
import dev.sessionops.claude.testing.StandaloneRedis;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * The packaged operator (target/quarkus-app) against a real kube-apiserver, etcd and kube-controller-manager, running
 * as a ServiceAccount bound to exactly the RBAC the build generates, with {@link RealKubelet} running the real Job
 * controller's Pods (the real claude CLI against the fake Anthropic API) and serving their logs through the API
 * server. This tier proves what the mock cannot: schema validation, the status subresource, the real Job controller
 * deciding success, failure and deadline, pod logs, RBAC, and garbage collection after the session's finalizer.
 */
class OperatorOnRealApiServerIT {
    static final String OPERATOR_NS = "cso-system";
    static final Path WORK = Path.of("target/real-control-plane");
    static RealControlPlane cluster;
    static RealKubelet kubelet;
    static FakeAnthropicApi api;
    static RedisServer redis;
    static StandaloneRedis history;
    static KubernetesClient admin;
    static KubernetesClient asOperator;
    static Path kubeconfig;
    static final List<OperatorProcess> operators = new ArrayList<>();
    static OperatorProcess operator;
    static Tier tier;

    @BeforeAll
    static void start() throws Exception {
        cluster = RealControlPlane.builder().apiServerArg(RealKubelet.API_SERVER_ARG).start();
        admin = cluster.adminClient();
        redis = RedisServer.startOnFreePort();
        history = new StandaloneRedis(redis.uri());
        api = new FakeAnthropicApi().start();
        kubelet = RealKubelet.start(admin, LocalKubelet.Options.defaults().withPath(ClaudeBinary.directory()));
        for (File crd : new File("crds").listFiles((d, n) -> n.endsWith(".yml"))) {
            try (var in = new FileInputStream(crd)) {
                admin.load(in).create();
            }
        }
        admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(OPERATOR_NS).endMetadata().build()).create();
        applyGeneratedRbac();
        String token = cluster.serviceAccountToken(OPERATOR_NS, "claude-session-operator");
        asOperator = cluster.newClient(token);
        kubeconfig = cluster.kubeconfig(WORK.resolve("operator.kubeconfig"), token, "operator");
        operator = startOperator("first");
        tier = new Tier("real", admin, kubelet, history.history(), api);
    }

    /** A replica of the packaged operator; the short Lease makes a takeover after a crash quick. */
    static OperatorProcess startOperator(String identity) {
        OperatorProcess p = OperatorProcess.start(identity, WORK, Map.of(
                "cso.defaults.env.ANTHROPIC_BASE_URL", api.baseUrl(),
                "cso.leader-election.lease-duration", "6s",
                "cso.leader-election.renew-deadline", "4s",
                "cso.leader-election.retry-period", "1s"), Map.of(
                "KUBECONFIG", kubeconfig.toAbsolutePath().toString(),
                "QUARKUS_REDIS_HOSTS", redis.uri(),
                "QUARKUS_HTTP_PORT", "0",
                "CSO_DEFAULTS_CREDENTIALS_SECRET", Harness.SECRET,
                "CSO_LEADER_ELECTION_LEASE_NAMESPACE", OPERATOR_NS));
        operators.add(p);
        return p;
    }

    /** The ServiceAccount, ClusterRoles and bindings of target/kubernetes/kubernetes.yml, bound in OPERATOR_NS. */
    static void applyGeneratedRbac() throws Exception {
        try (var in = Files.newInputStream(Path.of("target/kubernetes/kubernetes.yml"))) {
            for (HasMetadata item : admin.load(in).items()) {
                switch (item.getKind()) {
                    case "ServiceAccount", "ClusterRole", "RoleBinding", "ClusterRoleBinding" -> {
                        if (item instanceof ClusterRoleBinding b) {
                            b.getSubjects().forEach(s -> s.setNamespace(OPERATOR_NS));
                        }
                        if (item instanceof RoleBinding b) {
                            b.getSubjects().forEach(s -> s.setNamespace(OPERATOR_NS));
                        }
                        if (!"ClusterRole".equals(item.getKind()) && !"ClusterRoleBinding".equals(item.getKind())) {
                            item.getMetadata().setNamespace(OPERATOR_NS);
                        }
                        admin.resource(item).create();
                    }
                    default -> {
                    }
                }
            }
        }
    }

    @AfterAll
    static void stop() {
        operators.forEach(OperatorProcess::close);
        for (AutoCloseable c : new AutoCloseable[] { kubelet, api, asOperator, history, redis, cluster }) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                System.err.println("closing " + c + ": " + e);
            }
        }
    }

    /** Every API call the operator made was allowed by its generated RBAC. */
    @AfterEach
    void operatorWasNeverForbidden() {
        for (OperatorProcess p : operators) {
            String log = p.log();
            assertFalse(log.contains("Forbidden") || log.contains("forbidden"), p.identity() + " log:\n" + log);
        }
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
        var forbidden = assertThrows(KubernetesClientException.class, () -> asOperator.namespaces().withName(ns).delete());
        assertEquals(403, forbidden.getCode());
        var noSecretList = assertThrows(KubernetesClientException.class, () -> asOperator.secrets().inNamespace(ns).list());
        assertEquals(403, noSecretList.getCode(), "the operator may get a Secret by name, never list them");
    }

    @Test
    void deletingASessionRemovesItsHistoryThenGarbageCollectionRemovesTheRest() {
        String ns = Harness.namespace(admin, "gone");
        Harness.session(admin, ns, "gone", s -> {
        });
        Harness.message(admin, ns, "gone-01", "gone", "Hello before goodbye");
        Harness.awaitPhase(admin, ns, "gone-01", MessagePhase.Succeeded);
        ConversationKey key = ConversationKey.session(ns, "gone");
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
        assertEquals(0L, history.dataSource().execute("EXISTS", key.history(), key.meta(), key.chain(), key.applied(),
                key.index()).toLong());
    }

    /**
     * A second replica waits while the first holds the Lease; the first crashes while a Job runs; the second takes
     * over and records the message exactly once, without a second Job.
     */
    @Test
    void aReplicaTakesOverAfterACrashWithoutRunningAMessageTwice() {
        String ns = Harness.namespace(admin, "restart");
        Harness.session(admin, ns, "r", s -> {
        });
        Harness.message(admin, ns, "r-01", "r", "[[sleep 3000]] Survive a restart");
        await().atMost(Duration.ofSeconds(60)).until(() -> !kubelet.mainRuns(ns).isEmpty());
        assertEquals(MessagePhase.Running, Harness.get(admin, ns, "r-01").getStatus().getPhase());
        assertEquals(operator.identity(), leaseHolder());

        OperatorProcess standby = startOperator("second-" + operators.size());
        // while the leader renews its Lease, the standby (caches warm) processes no event
        await().atMost(Duration.ofSeconds(60)).until(() -> standby.log().contains("started in"));
        await().pollDelay(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(4)).until(standby::isAlive);
        assertFalse(standby.isReconciling(), standby.log());
        assertTrue(operator.isReconciling());
        assertEquals(operator.identity(), leaseHolder());

        operator.kill();
        await().atMost(Duration.ofSeconds(60)).until(standby::isReconciling);
        assertEquals(standby.identity(), leaseHolder());
        operator = standby;

        ClaudeMessage done = Harness.awaitPhase(admin, ns, "r-01", MessagePhase.Succeeded);
        assertTrue(done.getStatus().getResult().startsWith("Received 1 messages"), done.getStatus().getResult());
        assertEquals(1, Harness.jobs(admin, ns).size(), "one Job");
        assertEquals(1, kubelet.mainRuns(ns).size(), "one run");
        assertEquals(2, history.history().history(ConversationKey.session(ns, "r"), 0, -1).size(), "recorded once");
        assertEquals(1, Harness.events(admin, ns, "r-01").stream().filter(e -> "Succeeded".equals(e.getReason()))
                .mapToInt(e -> e.getCount() == null ? 1 : e.getCount()).sum(), "one Succeeded event");
        // the live events: the new leader went on following the log where the crashed one stopped, nothing twice
        assertEquals(eventLines(kubelet.mainRuns(ns).get(0).log()), streamData(EventFollower.keyOf(done)));
        // and the new leader carries on with the next message, resuming the conversation
        Harness.message(admin, ns, "r-02", "r", "After the restart");
        ClaudeMessage next = Harness.awaitPhase(admin, ns, "r-02", MessagePhase.Succeeded);
        assertEquals(done.getStatus().getSessionId(), next.getStatus().getResumedFrom());
    }

    /**
     * The HTTP API against the real authenticator and authorizer: TokenReview and SubjectAccessReview made with the
     * operator's generated RBAC, a ServiceAccount allowed to read claude resources in one namespace only.
     */
    @Test
    void httpApiAuthenticatesByTokenReviewAndAuthorizesBySubjectAccessReview() throws Exception {
        String ns = Harness.namespace(admin, "http");
        String other = Harness.namespace(admin, "http-other");
        Harness.session(admin, ns, "chat", s -> {
        });
        Harness.session(admin, other, "elsewhere", s -> s.setSuspend(true));
        Harness.message(admin, ns, "chat-01", "chat", "Hello over HTTP");
        ClaudeMessage done = Harness.awaitPhase(admin, ns, "chat-01", MessagePhase.Succeeded);
        admin.serviceAccounts().inNamespace(ns).resource(new ServiceAccountBuilder().withNewMetadata().withName("viewer")
                .endMetadata().build()).create();
        admin.rbac().roles().inNamespace(ns).resource(new RoleBuilder().withNewMetadata().withName("claude-viewer").endMetadata()
                .addNewRule().withApiGroups(ClaudeSession.GROUP).withResources("claudesessions", "claudemessages")
                .withVerbs("get", "list").endRule().build()).create();
        admin.rbac().roleBindings().inNamespace(ns).resource(new RoleBindingBuilder().withNewMetadata().withName("viewer")
                .endMetadata().withNewRoleRef("rbac.authorization.k8s.io", "Role", "claude-viewer")
                .addNewSubject().withKind("ServiceAccount").withName("viewer").withNamespace(ns).endSubject().build()).create();
        String token = cluster.serviceAccountToken(ns, "viewer");
        ApiClient api = new ApiClient(operatorHttp());
        String base = "/api/v1/namespaces/" + ns;

        await().atMost(Duration.ofSeconds(30)).until(() -> api.getAs(token, base + "/sessions").status() == 200);
        ApiClient.Reply list = api.getAs(token, base + "/sessions");
        assertEquals("chat", list.body().get("items").get(0).get("name").asText(), list.raw());
        assertEquals(1, list.body().get("items").get(0).get("messageCount").asLong(), list.raw());
        ApiClient.Reply history = api.getAs(token, base + "/sessions/chat/history");
        assertEquals(2, history.body().get("total").asLong(), history.raw());
        SseClient.Received events = SseClient.subscribe(api.uri(base + "/messages/chat-01/events"), token, null)
                .get(60, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(eventLines(kubelet.mainRuns(ns).get(0).log()), events.events().stream().map(SseClient.Event::data).toList());
        assertEquals("result", events.events().get(events.events().size() - 1).event());

        ApiClient.Reply forbidden = api.getAs(token, "/api/v1/namespaces/" + other + "/sessions");
        assertEquals(403, forbidden.status(), forbidden.raw());
        assertTrue(forbidden.body().get("message").asText().contains("system:serviceaccount:" + ns + ":viewer"), forbidden.raw());
        assertEquals(401, api.get(base + "/sessions").status());
        assertEquals(401, api.getAs(token + "x", base + "/sessions").status());
        assertEquals(401, api.getAs(cluster.serviceAccountToken(OPERATOR_NS, "claude-session-operator") + "x",
                base + "/sessions").status());
        assertEquals(done.getStatus().getResult(), api.getAs(token, base + "/messages/chat-01").body().get("result").asText());
    }

    /** The operator's HTTP root, from the port it logged (it listens on a free one). */
    private static java.net.URI operatorHttp() {
        var m = java.util.regex.Pattern.compile("Listening on: http://[^:]+:(\\d+)").matcher(operator.log());
        assertTrue(m.find(), "no HTTP port in the operator's log");
        return java.net.URI.create("http://127.0.0.1:" + m.group(1) + "/");
    }

    /** The stream-json lines of a pod log. */
    private static List<String> eventLines(String log) {
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        return log.lines().filter(l -> {
            try {
                return l.startsWith("{") && json.readTree(l).path("type").isTextual();
            } catch (java.io.IOException e) {
                return false;
            }
        }).toList();
    }

    /** The data of every entry of a message's event stream, oldest first. */
    private static List<String> streamData(String key) {
        List<String> data = new ArrayList<>();
        for (var entry : history.dataSource().execute("XRANGE", key, "-", "+")) {
            var fields = entry.get(1);
            for (int i = 0; i + 1 < fields.size(); i += 2) {
                if ("data".equals(fields.get(i).toString())) {
                    data.add(fields.get(i + 1).toString());
                }
            }
        }
        return data;
    }

    private static String leaseHolder() {
        Lease lease = admin.leases().inNamespace(OPERATOR_NS).withName("claude-session-operator").get();
        return lease == null ? null : lease.getSpec().getHolderIdentity();
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
        int i = 0;
        for (var entry : bad.entrySet()) {
            String yaml = "apiVersion: claude.sessionops.dev/v1alpha1\nkind: ClaudeMessage\nmetadata: {name: bad-" + (i++)
                    + "}\nspec:\n  prompt: hi\n  " + entry.getKey() + "\n";
            var e = assertThrows(KubernetesClientException.class, () -> admin.resource(yaml).inNamespace(ns).create(), entry.getKey());
            assertEquals(422, e.getCode(), entry.getKey());
            assertTrue(e.getMessage().contains(entry.getValue()), entry.getKey() + " -> " + e.getMessage());
        }
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

}
