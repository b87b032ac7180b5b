package dev.sessionops.claude.real;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.FileInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.api.v1alpha1.ClaudeMessageSpec;
import dev.sessionops.claude.api.v1alpha1.ClaudeSession;
import dev.sessionops.claude.api.v1alpha1.ClaudeSessionSpec;
import dev.sessionops.claude.api.v1alpha1.Credentials;
import dev.sessionops.claude.api.v1alpha1.MessagePhase;
import dev.sessionops.claude.api.v1alpha1.NameRef;
import dev.sessionops.claude.history.ConversationKey;
import dev.sessionops.claude.testing.ClaudeBinary;
import dev.sessionops.claude.testing.FakeAnthropicApi;
import dev.sessionops.claude.testing.LocalKubelet;
import dev.sessionops.claude.testing.RealControlPlane;
import dev.sessionops.claude.testing.RealKubelet;
import dev.sessionops.claude.testing.RedisServer;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
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
    static RealControlPlane cluster;
    static RealKubelet kubelet;
    static FakeAnthropicApi api;
    static RedisServer redis;
    static Process operator;
    static KubernetesClient admin;
    static KubernetesClient asOperator;

    @BeforeAll
    static void start() throws Exception {
        cluster = RealControlPlane.builder().apiServerArg(RealKubelet.API_SERVER_ARG).start();
        admin = cluster.adminClient();
        redis = RedisServer.startOnFreePort();
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
        Path kubeconfig = cluster.kubeconfig(Path.of("target/real-control-plane/operator.kubeconfig"), token, "operator");

        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dcso.defaults.env.ANTHROPIC_BASE_URL=" + api.baseUrl(), "-jar", "target/quarkus-app/quarkus-run.jar")
                .redirectErrorStream(true)
                .redirectOutput(new File("target/real-control-plane/operator.log"));
        pb.environment().put("KUBECONFIG", kubeconfig.toAbsolutePath().toString());
        pb.environment().put("QUARKUS_REDIS_HOSTS", redis.uri());
        pb.environment().put("QUARKUS_HTTP_PORT", "0");
        pb.environment().put("CSO_DEFAULTS_CREDENTIALS_SECRET", "anthropic");
        operator = pb.start();
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
        if (operator != null) {
            operator.destroy();
        }
        if (kubelet != null) {
            kubelet.close();
        }
        if (api != null) {
            api.close();
        }
        if (asOperator != null) {
            asOperator.close();
        }
        if (redis != null) {
            redis.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void operatorDrivesRealControllersWithItsGeneratedRbacOnly() {
        String ns = "team-a";
        admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
        admin.secrets().inNamespace(ns).resource(new SecretBuilder().withNewMetadata().withName("anthropic").endMetadata()
                .withStringData(Map.of("ANTHROPIC_API_KEY", "sk-ant-real-tier")).build()).create();

        // the schema rejects what it can express, with the field named
        var rejected = assertThrows(KubernetesClientException.class, () -> admin.resource(message(ns, "zero", "chat", m -> m.setMaxTurns(0))).create());
        assertEquals(422, rejected.getCode());
        assertTrue(rejected.getMessage().contains("spec.maxTurns"), rejected.getMessage());

        ClaudeSession session = new ClaudeSession();
        session.setMetadata(new ObjectMetaBuilder().withName("chat").withNamespace(ns).build());
        session.setSpec(new ClaudeSessionSpec());
        session.getSpec().setCredentials(new Credentials(new NameRef("anthropic")));
        admin.resource(session).create();
        admin.resource(message(ns, "chat-01", "chat", m -> {
        })).create();
        admin.resource(message(ns, "chat-02", "chat", m -> {
        })).create();

        // one after another, the second resuming the first; the real Job controller decides, the log comes through the server
        ClaudeMessage first = awaitPhase(ns, "chat-01", MessagePhase.Succeeded);
        ClaudeMessage second = awaitPhase(ns, "chat-02", MessagePhase.Succeeded);
        assertEquals(first.getStatus().getSessionId(), second.getStatus().getResumedFrom());
        assertTrue(first.getStatus().getResult().startsWith("Received 1 messages"), first.getStatus().getResult());
        assertTrue(second.getStatus().getResult().startsWith("Received 3 messages"), second.getStatus().getResult());
        var runs = kubelet.runs().stream().filter(r -> r.namespace().equals(ns) && !r.isInitContainer()).toList();
        assertEquals(2, runs.size());
        assertTrue(!runs.get(1).startedAt().isBefore(runs.get(0).finishedAt()), "strictly one after another");
        var job = admin.batch().v1().jobs().inNamespace(ns).withName(second.getStatus().getJobName()).get();
        assertEquals(0, job.getSpec().getBackoffLimit());
        assertEquals(1, job.getStatus().getSucceeded());
        assertEquals(1, admin.persistentVolumeClaims().inNamespace(ns).list().getItems().size(), "state volume");
        assertEquals("4", redis("LLEN", ConversationKey.session(ns, "chat").history()));

        // an API error and a deadline, decided by the real Job controller
        admin.resource(message(ns, "chat-03", "chat", m -> m.setPrompt("[[error 400 Fake bad request]]"))).create();
        assertEquals("CliError", reason(awaitPhase(ns, "chat-03", MessagePhase.Failed)));
        admin.resource(message(ns, "chat-04", "chat", m -> {
            m.setPrompt("[[sleep 30000]] too slow");
            m.setTimeout("3s");
        })).create();
        assertEquals("DeadlineExceeded", reason(awaitPhase(ns, "chat-04", MessagePhase.Failed)));

        // what the schema of 1.20 cannot check (no CEL) the operator reports
        ClaudeSession plain = new ClaudeSession();
        plain.setMetadata(new ObjectMetaBuilder().withName("plain").withNamespace(ns).build());
        plain.setSpec(new ClaudeSessionSpec());
        plain.getSpec().setEnv(List.of(new EnvVar("ANTHROPIC_API_KEY", "sk-plain", null)));
        admin.resource(plain).create();
        admin.resource(message(ns, "plain-01", "plain", m -> {
        })).create();
        await().atMost(Duration.ofSeconds(30)).until(() -> phase(ns, "plain-01") == MessagePhase.Failed);
        assertTrue(admin.v1().events().inNamespace(ns).list().getItems().stream()
                .anyMatch(e -> "PlainTextCredential".equals(e.getReason())));

        // RBAC is enforced: the operator's identity may not do what it was not granted
        var forbidden = assertThrows(KubernetesClientException.class, () -> asOperator.namespaces().withName(ns).delete());
        assertEquals(403, forbidden.getCode());

        // deleting the session: the finalizer removes the history, then garbage collection removes everything else
        ConversationKey key = ConversationKey.session(ns, "chat");
        assertEquals("1", redis("EXISTS", key.history()));
        admin.resources(ClaudeSession.class).inNamespace(ns).withName("chat").delete();
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertTrue(admin.resources(ClaudeMessage.class).inNamespace(ns).list().getItems().stream()
                    .noneMatch(m -> m.getMetadata().getName().startsWith("chat-")));
            assertTrue(admin.batch().v1().jobs().inNamespace(ns).withLabel("claude.sessionops.dev/session", "chat").list().getItems().isEmpty());
            assertTrue(admin.pods().inNamespace(ns).withLabel("claude.sessionops.dev/session", "chat").list().getItems().isEmpty());
            assertTrue(admin.persistentVolumeClaims().inNamespace(ns).withLabel("claude.sessionops.dev/session", "chat").list().getItems().isEmpty());
        });
        assertEquals("0", redis("EXISTS", key.history(), key.meta(), key.chain(), key.applied()));
    }

    /** One command in RESP; the first line of the reply without its type marker (enough for integer replies). */
    private static String redis(String... args) {
        try (var socket = new java.net.Socket("127.0.0.1", redis.port())) {
            StringBuilder cmd = new StringBuilder("*" + args.length + "\r\n");
            for (String a : args) {
                cmd.append('$').append(a.getBytes(java.nio.charset.StandardCharsets.UTF_8).length).append("\r\n").append(a).append("\r\n");
            }
            socket.getOutputStream().write(cmd.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            socket.getOutputStream().flush();
            String reply = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream())).readLine();
            return reply.substring(1);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
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

    private static ClaudeMessage awaitPhase(String ns, String name, MessagePhase phase) {
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(300)).until(() -> {
            MessagePhase p = phase(ns, name);
            if (p != null && p.isTerminal() && p != phase) {
                throw new AssertionError(name + " ended " + p + ": " + admin.resources(ClaudeMessage.class).inNamespace(ns)
                        .withName(name).get().getStatus().getConditions());
            }
            return p == phase;
        });
        return admin.resources(ClaudeMessage.class).inNamespace(ns).withName(name).get();
    }

    private static String reason(ClaudeMessage m) {
        return m.getStatus().getConditions().stream().filter(c -> c.getType().equals("Succeeded")).findFirst()
                .orElseThrow().getReason();
    }

    private static MessagePhase phase(String ns, String name) {
        ClaudeMessage m = admin.resources(ClaudeMessage.class).inNamespace(ns).withName(name).get();
        return m == null || m.getStatus() == null ? null : m.getStatus().getPhase();
    }

    private static ClaudeMessage message(String ns, String name, String session, java.util.function.Consumer<ClaudeMessageSpec> spec) {
        ClaudeMessage m = new ClaudeMessage();
        m.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(ns).build());
        m.setSpec(new ClaudeMessageSpec());
        m.getSpec().setSessionRef(new NameRef(session));
        m.getSpec().setPrompt("Hello from the real tier");
        spec.accept(m.getSpec());
        return m;
    }
}
