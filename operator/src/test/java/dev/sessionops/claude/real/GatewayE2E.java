package dev.sessionops.claude.real;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.api.v1alpha1.GatewayUsage;
import dev.sessionops.claude.api.v1alpha1.MessagePhase;
import dev.sessionops.claude.e2e.Harness;
import dev.sessionops.claude.events.EventFollower;
import dev.sessionops.claude.testing.FakeAnthropicApi;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;

/**
 * The credential gateway on the real tier: two replicas of the packaged operator with the gateway on, the leader
 * reconciling and the standby serving the runs' model API calls (the Jobs' base URL is the standby's gateway: every
 * replica serves it, from the API server, not the leader's caches). The model API key is a Secret in the operator's
 * namespace that only the replicas may read (a Role naming it, as the chart's); the tenants' namespaces hold a
 * credentials Secret of their own, which the gateway leaves unused.
 * <p>
 * A run's agent dumps its environment ({@code env}, {@code /proc/self/environ} and {@code /proc/1/environ}): it finds
 * its token and the gateway's URL, and the key is nowhere — not in the tool output (pod log, live events, Redis), the
 * status, the Events, the Job and pod specs, or the operators' logs — while the fake API received every call with the
 * key and never the token. {@link dev.sessionops.claude.local.RealKubelet} runs a pod's container as local processes:
 * as root in a PID namespace of its own, where {@code /proc/1/environ} is the container's main process as in a pod; not
 * as root, PID 1 is the machine's init, which the run cannot read, so that part is asserted only where it holds the
 * run's environment (and {@code env} and {@code /proc/self/environ} always).
 * <p>
 * The replicas started here are the tier's leader for this class only; the tier's own leader is back afterwards.
 */
@ExtendWith(RealOperatorTier.Shared.class)
class GatewayE2E {
    static final String KEY = "sk-ant-gateway-" + UUID.randomUUID();
    static final String KEY_SECRET = "model-api-key";
    static final String SIGNING_SECRET = "claude-session-operator-gateway";
    /** The namespaces the key serves (and one it does not). */
    static final String NS = "gw-env";
    static final String BUDGET_NS = "gw-budget";
    static final String NO_KEY_NS = "gw-nokey";
    /** A namespace may spend this much per window: one opus response (about $0.0042 at list prices) spends it. */
    static final double BUDGET_USD = 0.004;
    static final String MARK = "PID1-ENVIRON";

    static RealOperatorTier env;
    static KubernetesClient admin;
    static OperatorProcess leader;
    static OperatorProcess standby;
    static int leaderGateway;
    static int standbyGateway;

    @BeforeAll
    static void start(RealOperatorTier shared) {
        env = shared;
        admin = env.admin;
        byte[] signingKey = new byte[48];
        new SecureRandom().nextBytes(signingKey);
        admin.secrets().inNamespace(RealOperatorTier.OPERATOR_NS).resource(new SecretBuilder().withNewMetadata()
                .withName(SIGNING_SECRET).endMetadata().addToData("signing-key", Base64.getEncoder().encodeToString(signingKey))
                .build()).create();
        admin.secrets().inNamespace(RealOperatorTier.OPERATOR_NS).resource(new SecretBuilder().withNewMetadata()
                .withName(KEY_SECRET).endMetadata().withStringData(Map.of("ANTHROPIC_API_KEY", KEY + "\n")).build()).create();
        // what the chart's gateway Role grants: these two Secrets, by name, in the operator's namespace
        admin.rbac().roles().inNamespace(RealOperatorTier.OPERATOR_NS).resource(new RoleBuilder().withNewMetadata()
                .withName("gateway").endMetadata().addNewRule().withApiGroups("").withResources("secrets")
                .withResourceNames(SIGNING_SECRET, KEY_SECRET).withVerbs("get").endRule().build()).create();
        admin.rbac().roleBindings().inNamespace(RealOperatorTier.OPERATOR_NS).resource(new RoleBindingBuilder()
                .withNewMetadata().withName("gateway").endMetadata().withNewRoleRef("rbac.authorization.k8s.io", "Role", "gateway")
                .addNewSubject().withKind("ServiceAccount").withName("claude-session-operator")
                .withNamespace(RealOperatorTier.OPERATOR_NS).endSubject().build()).create();
        for (String ns : List.of(NS, BUDGET_NS, NO_KEY_NS)) {
            admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
            // a tenant's own key: with the gateway it is not used (nor read)
            admin.secrets().inNamespace(ns).resource(new SecretBuilder().withNewMetadata().withName(Harness.SECRET)
                    .endMetadata().withStringData(Map.of("ANTHROPIC_API_KEY", Harness.API_KEY)).build()).create();
        }
        leaderGateway = OperatorProcess.freePort();
        standbyGateway = OperatorProcess.freePort();
        leader = env.startOperator("gateway-leader", settings(leaderGateway));
        env.crashLeaderInFavourOf(leader);
        standby = env.startOperator("gateway-standby", settings(standbyGateway));
        await().atMost(Duration.ofSeconds(90)).until(() -> standby.log().contains("credential gateway listening"));
        assertFalse(standby.isReconciling(), "the standby serves the gateway without leading");
    }

    /** The runs reach the standby's gateway: whatever replica the Service picks, it serves. */
    private static Map<String, String> settings(int port) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("cso.gateway.enabled", "true");
        s.put("cso.gateway.host", "127.0.0.1");
        s.put("cso.gateway.port", String.valueOf(port));
        s.put("cso.gateway.url", "http://127.0.0.1:" + standbyGateway);
        s.put("cso.gateway.upstream", env.api.baseUrl());
        s.put("cso.gateway.signing-secret", SIGNING_SECRET);
        s.put("cso.gateway.keys.tenants.secret", KEY_SECRET);
        s.put("cso.gateway.keys.tenants.namespaces", NS + "," + BUDGET_NS);
        s.put("cso.gateway.namespace-budget-usd", String.valueOf(BUDGET_USD));
        return s;
    }

    @AfterAll
    static void restoreTheTiersLeader() {
        if (env == null) {
            return;
        }
        if (standby != null) {
            standby.close(); // it would compete for the Lease with the replica below
            env.retire(standby);
        }
        OperatorProcess normal = env.startOperator("after-gateway");
        env.crashLeaderInFavourOf(normal);
    }

    @AfterEach
    void operatorsWereNeverForbidden() {
        env.assertOperatorsWereNeverForbidden();
    }

    @Test
    void theKeyNeverReachesTheSandboxAndTheTokenDiesWithTheMessage() throws Exception {
        Harness.session(admin, NS, "s", s -> {
            s.setAllowedTools(List.of("Bash"));
            s.setModel("claude-sonnet-4-5"); // cheap: this namespace's budget stays far away
        });
        String dump = "env; echo " + MARK + "-START; tr '\\\\0' '\\\\n' < /proc/1/environ; echo " + MARK
                + "-END; echo SELF-START; cat /proc/self/environ | tr '\\\\0' '\\\\n'; echo SELF-END";
        Harness.message(admin, NS, "dump", "s", "[[tool Bash {\"command\":\"" + dump + "\"}]]");
        ClaudeMessage done = Harness.awaitPhase(admin, NS, "dump", MessagePhase.Succeeded);

        // the Job: the gateway's URL for this message and a token, no key and no credentials Secret
        Job job = admin.batch().v1().jobs().inNamespace(NS).withName(done.getStatus().getJobName()).get();
        Map<String, EnvVar> jobEnv = new LinkedHashMap<>();
        job.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().forEach(e -> jobEnv.put(e.getName(), e));
        String base = "http://127.0.0.1:" + standbyGateway + "/m/" + NS + "/dump";
        assertEquals(base, jobEnv.get("ANTHROPIC_BASE_URL").getValue());
        String token = jobEnv.get("ANTHROPIC_API_KEY").getValue();
        assertTrue(token.startsWith("cso-gw1."), "a gateway token, not a key");
        assertTrue(jobEnv.values().stream().noneMatch(e -> e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null),
                "no Secret reaches the pod: " + jobEnv.keySet());

        // the agent looked: it found its token and the gateway, in its environment and in PID 1's
        var run = env.kubelet.mainRuns(NS).get(0);
        String podLog = run.log();
        String toolOutput = toolResult(podLog);
        assertTrue(toolOutput.contains("ANTHROPIC_API_KEY=" + token), "env ran: " + toolOutput);
        assertTrue(toolOutput.contains("ANTHROPIC_BASE_URL=" + base), toolOutput);
        assertTrue(between(toolOutput, "SELF-START", "SELF-END").contains("ANTHROPIC_API_KEY=" + token), toolOutput);
        String pid1 = between(toolOutput, MARK + "-START", MARK + "-END");
        if (pid1.contains("ANTHROPIC_BASE_URL=")) { // the kubelet isolates its containers (root): PID 1 is the pod's
            assertTrue(pid1.contains("ANTHROPIC_API_KEY=" + token), pid1);
        }

        // the key is nowhere a tenant, the agent or a reader of the operator's output could look
        Map<String, String> places = new LinkedHashMap<>();
        places.put("the tool output in the pod log", podLog);
        places.put("the live events in Redis", String.join("\n", env.streamData(EventFollower.keyOf(done))));
        places.put("every Redis key", redisDump());
        places.put("the message", Serialization.asYaml(done));
        places.put("the session", Serialization.asYaml(Harness.getSession(admin, NS, "s")));
        places.put("the Events", Serialization.asYaml(admin.v1().events().inNamespace(NS).list()));
        places.put("the Job", Serialization.asYaml(job));
        places.put("the pods", Serialization.asYaml(admin.pods().inNamespace(NS).list()));
        places.put("the run's environment", run.env().toString());
        places.put("the leader's log", leader.log());
        places.put("the standby's log", standby.log());
        for (var place : places.entrySet()) {
            assertFalse(place.getValue().contains(KEY), "the key is in " + place.getKey());
            assertFalse(place.getValue().contains(Harness.API_KEY), "the tenant's own key is in " + place.getKey());
        }
        assertFalse(leader.log().contains(token) || standby.log().contains(token), "no token in the operators' logs");

        // the fake API got every call of this run with the key, never the token
        List<FakeAnthropicApi.Request> calls = env.api.messageRequests().stream()
                .filter(r -> r.header("x-claude-code-session-id").contains(done.getStatus().getSessionId())).toList();
        assertEquals(2, calls.size(), "the tool call and the answer to its result");
        for (FakeAnthropicApi.Request call : calls) {
            assertEquals(List.of(KEY), call.header("x-api-key"), "the upstream side sees the real key");
            assertFalse(call.headers().toString().contains(token));
        }

        // the gateway's usage, read from the API's answers, is what the fake API reported, and what the CLI claims
        GatewayUsage measured = done.getStatus().getGatewayUsage();
        assertNotNull(measured, "status.gatewayUsage");
        assertEquals(calls.size(), measured.getRequests());
        long[] u = FakeAnthropicApi.USAGE;
        assertEquals(u[0] * calls.size(), measured.getInputTokens());
        assertEquals(u[1] * calls.size(), measured.getOutputTokens());
        assertEquals(u[2] * calls.size(), measured.getCacheCreationInputTokens());
        assertEquals(u[3] * calls.size(), measured.getCacheReadInputTokens());
        assertEquals(done.getStatus().getUsage().getInputTokens(), measured.getInputTokens(), "the CLI's claim agrees");
        assertEquals(done.getStatus().getUsage().getOutputTokens(), measured.getOutputTokens());
        assertTrue(measured.getCostUsd() > 0);

        // the message has ended: its token works no more, on any replica (within the gateway's 1 s recheck)
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            for (int port : new int[] { standbyGateway, leaderGateway }) {
                HttpResponse<String> late = call(port, "/m/" + NS + "/dump/v1/messages", token);
                assertEquals(403, late.statusCode(), late.body());
                assertTrue(late.body().contains("has ended"), late.body());
            }
        });
        // and a token for another message's path, or a forged one, never worked
        assertEquals(403, call(standbyGateway, "/m/" + NS + "/other/v1/messages", token).statusCode());
        assertEquals(401, call(standbyGateway, "/m/" + NS + "/dump/v1/messages", token.substring(0, token.length() - 3) + "AAA")
                .statusCode());
        assertEquals(calls.size(), env.api.messageRequests().stream()
                .filter(r -> r.header("x-claude-code-session-id").contains(done.getStatus().getSessionId())).count(),
                "none of the refused calls reached the API");
    }

    /**
     * Past its budget a namespace's runs get 429 from the gateway, which the CLI shows and does not retry, and the
     * message fails BudgetExceeded; a namespace without a registered key runs nothing.
     */
    @Test
    void aNamespaceOverItsBudgetIsRefusedAndOneWithoutAKeyRunsNothing() {
        Harness.session(admin, BUDGET_NS, "b", s -> s.setModel("claude-opus-4-1"));
        Harness.message(admin, BUDGET_NS, "b-01", "b", "First");
        ClaudeMessage first = Harness.awaitPhase(admin, BUDGET_NS, "b-01", MessagePhase.Succeeded);
        double one = first.getStatus().getGatewayUsage().getCostUsd();
        assertTrue(one >= BUDGET_USD, "a request is let through while the namespace is within its budget: " + one);

        int before = env.api.messageRequests().size();
        Harness.message(admin, BUDGET_NS, "b-02", "b", "Second, past the budget");
        ClaudeMessage refused = Harness.awaitPhase(admin, BUDGET_NS, "b-02", MessagePhase.Failed);
        assertEquals("BudgetExceeded", Harness.reason(refused), Harness.conditionMessage(refused));
        assertTrue(Harness.conditionMessage(refused).contains("429"), Harness.conditionMessage(refused));
        assertTrue(refused.getStatus().getResult().contains("has spent"), "the CLI shows the gateway's words: "
                + refused.getStatus().getResult());
        assertNull(refused.getStatus().getGatewayUsage(), "nothing was forwarded, so nothing was used");
        assertEquals(before, env.api.messageRequests().size(), "the API never saw the refused run");

        Harness.session(admin, NO_KEY_NS, "n", s -> {
        });
        Harness.message(admin, NO_KEY_NS, "n-01", "n", "No key for me");
        ClaudeMessage waiting = Harness.awaitReason(admin, NO_KEY_NS, "n-01", "CredentialsMissing");
        assertTrue(Harness.conditionMessage(waiting).contains("no model API key is registered for namespace " + NO_KEY_NS),
                Harness.conditionMessage(waiting));
        assertTrue(Harness.jobs(admin, NO_KEY_NS).isEmpty());
    }

    private static HttpResponse<String> call(int port, String path, String token) throws Exception {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + path)).header("x-api-key", token)
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"m\",\"max_tokens\":1,\"messages\":[]}")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The text of the Bash tool's result in a pod log (stream-json): what the agent saw. */
    private static String toolResult(String podLog) throws Exception {
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        StringBuilder out = new StringBuilder();
        for (String line : RealOperatorTier.eventLines(podLog)) {
            var event = json.readTree(line);
            if (!"user".equals(event.path("type").asText())) {
                continue;
            }
            for (var block : event.path("message").path("content")) {
                if ("tool_result".equals(block.path("type").asText())) {
                    var content = block.path("content");
                    if (content.isTextual()) {
                        out.append(content.asText());
                    } else {
                        content.forEach(c -> out.append(c.path("text").asText()));
                    }
                }
            }
        }
        return out.toString();
    }

    private static String between(String text, String start, String end) {
        int from = text.indexOf(start);
        int to = text.indexOf(end, from + 1);
        return from < 0 || to < 0 ? "" : text.substring(from + start.length(), to);
    }

    /** Everything in Redis, whatever its type. */
    private static String redisDump() {
        StringBuilder all = new StringBuilder();
        var redis = env.history.dataSource();
        List<String> keys = new ArrayList<>();
        redis.execute("KEYS", "*").forEach(k -> keys.add(k.toString()));
        for (String key : keys) {
            String type = redis.execute("TYPE", key).toString();
            var value = switch (type) {
                case "string" -> redis.execute("GET", key);
                case "hash" -> redis.execute("HGETALL", key);
                case "list" -> redis.execute("LRANGE", key, "0", "-1");
                case "set" -> redis.execute("SMEMBERS", key);
                case "zset" -> redis.execute("ZRANGE", key, "0", "-1");
                case "stream" -> redis.execute("XRANGE", key, "-", "+");
                default -> null;
            };
            all.append(key).append(" = ").append(value == null ? "" : new String(value.toString().getBytes(StandardCharsets.UTF_8),
                    StandardCharsets.UTF_8)).append('\n');
        }
        return all.toString();
    }
}
