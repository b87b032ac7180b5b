package dev.sessionops.claude.real;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.api.v1alpha1.ClaudeSession;
import dev.sessionops.claude.api.v1alpha1.MessagePhase;
import dev.sessionops.claude.e2e.Harness;
import dev.sessionops.claude.history.ConversationKey;
import dev.sessionops.claude.history.HistoryEntry;
import dev.sessionops.claude.testing.ClaudeBinary;
import dev.sessionops.claude.testing.FakeAnthropicApi;
import dev.sessionops.claude.testing.StandaloneRedis;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

/**
 * Local mode as a user starts it (the packaged operator with {@code --local}, a process of its own): an embedded
 * Kubernetes API with a kubeconfig, Jobs run as local processes with the real claude CLI (against the fake API), and
 * a redis-server it starts itself; a two-message session, then a restart keeps sessions, messages and history.
 */
class LocalModeIT {
    private static final Pattern READY = Pattern.compile("Local mode: Kubernetes API (\\S+) .*Redis (redis://\\S+),");
    private static final Pattern LISTENING = Pattern.compile("Listening on: http://[^:]+:(\\d+)");
    static FakeAnthropicApi api;
    static Path home;

    @BeforeAll
    static void start() throws Exception {
        api = new FakeAnthropicApi().start();
        home = Files.createTempDirectory("cso-local-home");
    }

    @AfterAll
    static void stop() {
        if (api != null) {
            api.close();
        }
    }

    @Test
    void twoMessageSessionThenRestartKeepsEverything() throws Exception {
        String firstResult;
        String sessionId;
        try (OperatorProcess operator = startLocal("local-1")) {
            String[] endpoints = awaitReady(operator);
            try (KubernetesClient client = clientFor(home.resolve("kubeconfig"))) {
                assertEquals(endpoints[0], client.getConfiguration().getMasterUrl().replaceAll("/$", ""));
                // discovery, which kubectl reads first, names our resources and their short names
                var resources = client.getApiResources("claude.sessionops.dev/v1alpha1").getResources();
                assertTrue(resources.stream().anyMatch(r -> r.getName().equals("claudesessions") && r.getShortNames().contains("csess")));
                assertTrue(client.getApiGroups().getGroups().stream().anyMatch(g -> g.getName().equals("claude.sessionops.dev")));
                // the README's quick start: kubectl claude against the local kubeconfig and API
                CliRun run1 = cli(endpoints, "run", "Hello from local mode", "--new-session", "demo", "--name", "demo-01", "--follow");
                assertEquals(0, run1.exit(), run1.out());
                assertTrue(run1.out().contains("Received 1 messages"), "the reply is printed as it arrives: " + run1.out());
                CliRun run2 = cli(endpoints, "run", "And again", "--session", "demo", "--name", "demo-02", "--follow");
                assertEquals(0, run2.exit(), run2.out());
                assertTrue(run2.out().contains("Received 3 messages"), run2.out());
                ClaudeMessage first = Harness.awaitPhase(client, "default", "demo-01", MessagePhase.Succeeded);
                ClaudeMessage second = Harness.awaitPhase(client, "default", "demo-02", MessagePhase.Succeeded);
                firstResult = first.getStatus().getResult();
                sessionId = first.getStatus().getSessionId();
                assertTrue(firstResult.startsWith("Received 1 messages"), firstResult);
                assertEquals(sessionId, second.getStatus().getResumedFrom());
                assertTrue(second.getStatus().getResult().startsWith("Received 3 messages"), second.getStatus().getResult());
                // a session in a namespace of its own gets the credentials Secret there too
                CliRun other = cli(endpoints, "-n", "team-x", "run", "From another namespace", "--new-session", "other",
                        "--name", "other-01", "--follow");
                assertEquals(0, other.exit(), other.out());
                assertTrue(other.out().contains("Received 1 messages"), other.out());
                // the credential came from the environment and went only where the operator puts it: a Secret
                var secret = client.secrets().inNamespace("default").withName("anthropic").get();
                assertTrue((secret.getData() != null && secret.getData().containsKey("ANTHROPIC_API_KEY"))
                        || (secret.getStringData() != null && secret.getStringData().containsKey("ANTHROPIC_API_KEY")));
            }
            assertEquals(4, history(endpoints[1]).size());
        }
        assertFalse(Files.readString(home.resolve("objects.json")).contains("sk-ant-local"), "no credential on disk");

        try (OperatorProcess operator = startLocal("local-2")) {
            String[] endpoints = awaitReady(operator);
            try (KubernetesClient client = clientFor(home.resolve("kubeconfig"))) {
                ClaudeMessage first = Harness.get(client, "default", "demo-01");
                assertEquals(MessagePhase.Succeeded, first.getStatus().getPhase());
                assertEquals(firstResult, first.getStatus().getResult());
                ClaudeSession session = Harness.getSession(client, "default", "demo");
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                        assertEquals(2, Harness.getSession(client, "default", "demo").getStatus().getMessageCount()));
                assertEquals(sessionId, session.getStatus().getCurrentSessionId());
                List<HistoryEntry> entries = history(endpoints[1]);
                assertEquals(4, entries.size());
                assertEquals("Hello from local mode", entries.get(0).content());
                // and the conversation goes on where it was: the CLI's state survived on disk
                CliRun history = cli(endpoints, "session", "history", "demo", "-o", "json");
                assertEquals(0, history.exit(), history.out());
                assertTrue(history.out().contains("\"total\" : 4") || history.out().contains("\"total\":4"), history.out());
                assertTrue(history.out().contains("Hello from local mode"), history.out());
                CliRun run3 = cli(endpoints, "run", "Still there?", "--session", "demo", "--name", "demo-03", "--follow");
                assertEquals(0, run3.exit(), run3.out());
                ClaudeMessage third = Harness.awaitPhase(client, "default", "demo-03", MessagePhase.Succeeded);
                assertEquals(sessionId, third.getStatus().getResumedFrom());
                assertTrue(third.getStatus().getResult().startsWith("Received 5 messages"), third.getStatus().getResult());
            }
        }
    }

    private static List<HistoryEntry> history(String redisUrl) {
        try (StandaloneRedis redis = new StandaloneRedis(redisUrl)) {
            return redis.history().history(ConversationKey.session("default", "demo"), 0, -1);
        }
    }

    private static OperatorProcess startLocal(String name) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("CSO_LOCAL_HOME", home.toString());
        env.put("ANTHROPIC_API_KEY", "sk-ant-local");
        env.put("ANTHROPIC_BASE_URL", api.baseUrl());
        env.put("PATH", ClaudeBinary.directory() + ":" + System.getenv("PATH"));
        env.put("QUARKUS_HTTP_PORT", "0");
        return OperatorProcess.start(name, Path.of("target/local-mode"), Map.of(), env, List.of("--local"));
    }

    /** Waits for the operator to be up; returns the API URL and the Redis URL it logged. */
    private static String[] awaitReady(OperatorProcess operator) {
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            if (!operator.isAlive()) {
                throw new AssertionError("the operator exited:\n" + operator.log());
            }
            return operator.log().contains("started in") && operator.log().contains("'claudemessage' controller started");
        });
        Matcher m = READY.matcher(operator.log());
        assertTrue(m.find(), operator.log());
        Matcher http = LISTENING.matcher(operator.log());
        assertTrue(http.find(), operator.log());
        return new String[] { m.group(1), m.group(2), "http://127.0.0.1:" + http.group(1) };
    }

    record CliRun(int exit, String out) {
    }

    /** The plugin as installed ({@code scripts/kubectl-claude}), with the local kubeconfig and the operator's API. */
    private static CliRun cli(String[] endpoints, String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(Path.of("scripts/kubectl-claude").toAbsolutePath().toString(),
                "--kubeconfig", home.resolve("kubeconfig").toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("KUBECTL_CLAUDE_API_URL", endpoints[2]);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS), out);
        return new CliRun(p.exitValue(), out);
    }

    private static KubernetesClient clientFor(Path kubeconfig) throws Exception {
        return new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(Files.readString(kubeconfig))).build();
    }
}
