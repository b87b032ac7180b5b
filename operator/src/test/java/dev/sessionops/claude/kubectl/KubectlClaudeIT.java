package dev.sessionops.claude.kubectl;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.StreamSupport;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.api.v1alpha1.ClaudeSession;
import dev.sessionops.claude.api.v1alpha1.MessagePhase;
import dev.sessionops.claude.e2e.EndToEndTest;
import dev.sessionops.claude.e2e.Harness;
import dev.sessionops.claude.history.ConversationKey;
import dev.sessionops.claude.history.HistoryEntry;
import io.fabric8.kubernetes.api.model.ConfigMap;
import dev.sessionops.claude.e2e.ApiUsers;
import dev.sessionops.claude.local.ApiFront;
import dev.sessionops.claude.testing.TestPki;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * {@code kubectl claude} against the harness: the mock API server, the operator in this JVM, the local kubelet running
 * the real claude CLI against the fake Anthropic API, and the real Redis. The CLI runs in-process with a kubeconfig
 * for a cluster, as a user's would be. Its API commands (history, export, events) go to the kubeconfig's server at
 * {@code /apis/api.claude.sessionops.dev/v1alpha1}: here an {@link ApiFront} in front of the mock server plays the
 * kube-apiserver's aggregation layer (token → user, then the front-proxy certificate and X-Remote-User to the operator).
 * With a kubeconfig for the bare mock server the group is not served, and the CLI falls back to the pod log.
 */
@QuarkusTest
class KubectlClaudeIT extends EndToEndTest {
    /** The kube credentials' user and token; the operator's API requires it, so a passing call shows the CLI sent it. */
    private final String user = "cli-" + java.util.UUID.randomUUID();
    private String token;
    @TestHTTPResource(value = "/", tls = true)
    java.net.URL operatorUrl;
    /** The aggregation layer's stand-in, shared by the class's tests. */
    private static ApiFront front;
    private static final Duration RUN = Duration.ofSeconds(120);

    private Path dir;

    @BeforeEach
    void startApi() throws IOException {
        ApiUsers.install(server);
        token = ApiUsers.token(user);
        dir = Files.createTempDirectory("kubectl-claude-it");
        if (front == null) {
            front = ApiFront.start(new ApiFront.Options("127.0.0.1", 0, java.net.URI.create(client.getConfiguration().getMasterUrl()),
                    null, new ApiFront.OperatorUpstream("localhost", operatorUrl.getPort(), TestPki.SERVING_CA.certPem(),
                            TestPki.FRONT_PROXY.certPem(), TestPki.FRONT_PROXY.keyPem()),
                    t -> ApiUsers.knows(t) ? java.util.Optional.of(new ApiFront.User(ApiUsers.userOf(t), List.of("system:authenticated")))
                            : java.util.Optional.empty(), true));
        }
    }

    @org.junit.jupiter.api.AfterAll
    static void stopFront() {
        if (front != null) {
            front.close();
            front = null;
        }
    }


    /** A kubeconfig for the cluster (the front) whose context's namespace is {@code ns}. */
    private Path kubeconfig(String ns) throws IOException {
        return kubeconfig(ns, "http://127.0.0.1:" + front.port(), "kubeconfig-");
    }

    /** A kubeconfig for the bare mock API server: a cluster that does not serve the operator's API. */
    private Path directKubeconfig(String ns) throws IOException {
        return kubeconfig(ns, client.getConfiguration().getMasterUrl(), "direct-kubeconfig-");
    }

    private Path kubeconfig(String ns, String server, String prefix) throws IOException {
        Path file = dir.resolve(prefix + ns);
        Files.writeString(file, """
                apiVersion: v1
                kind: Config
                clusters:
                - name: mock
                  cluster: {server: "%s", insecure-skip-tls-verify: true}
                users:
                - name: tester
                  user: {token: %s}
                contexts:
                - name: mock
                  context: {cluster: mock, user: tester, namespace: %s}
                current-context: mock
                """.formatted(server, token, ns));
        ApiUsers.grant(user, ns);
        return file;
    }

    private static Cli.Result cli(Path kubeconfig, String... args) {
        return Cli.run(Environment.withEnv(k -> null), withKubeconfig(kubeconfig, args));
    }

    private static String[] withKubeconfig(Path kubeconfig, String... args) {
        List<String> all = new ArrayList<>(List.of("--kubeconfig", kubeconfig.toString()));
        all.addAll(List.of(args));
        return all.toArray(String[]::new);
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }

    @Test
    void aConversationThroughTheCli() throws IOException {
        String ns = Harness.namespace(client, "cli");
        Path kc = kubeconfig(ns);

        // run --new-session: creates the session and the message, prints the message's generated name
        Cli.Result first = cli(kc, "run", "First question " + ns, "--new-session", "chat");
        assertEquals(0, first.exitCode(), first.toString());
        String m1 = first.out().strip();
        assertTrue(m1.matches("chat-\\d{8}-\\d{6}-[a-z0-9]{4}"), m1);
        assertNotNull(Harness.getSession(client, ns, "chat"));
        ClaudeMessage created = Harness.get(client, ns, m1);
        assertEquals("chat", created.getSpec().getSessionRef().getName());
        assertEquals("First question " + ns, created.getSpec().getPrompt());

        // a prompt the operator would refuse fails before anything is created: no session "typo" is left behind
        Cli.Result typo = cli(kc, "run", "Write {x}", "--new-session", "typo");
        assertEquals(2, typo.exitCode(), typo.toString());
        assertEquals("error: the prompt uses {x} but no value was given for it (give one with --data x=VALUE, or write"
                + " \\{ for a literal brace)\n", typo.err());
        Path badFile = dir.resolve("bad.md");
        Files.writeString(badFile, "---\neffort: huge\n---\nHello");
        Cli.Result badFrontMatter = cli(kc, "run", "-f", badFile.toString(), "--new-session", "typo");
        assertEquals(2, badFrontMatter.exitCode(), badFrontMatter.toString());
        assertTrue(badFrontMatter.err().startsWith("error: prompt file: front matter key \"effort\""), badFrontMatter.err());
        assertNull(Harness.getSession(client, ns, "typo"));

        Cli.Result again = cli(kc, "run", "Again", "--new-session", "chat");
        assertEquals(2, again.exitCode(), again.toString());
        assertTrue(again.err().contains("claudesession \"chat\" already exists"), again.err());
        Cli.Result noSession = cli(kc, "run", "Hello", "--session", "nope");
        assertEquals(3, noSession.exitCode());
        assertEquals("error: claudesession \"nope\" not found in namespace " + ns + "\n", noSession.err());

        Cli.Result waited = cli(kc, "wait", m1, "--timeout", "2m");
        assertEquals(0, waited.exitCode(), waited.toString());
        assertEquals("claudemessage " + m1 + " Succeeded\n", waited.out());

        // run --session --follow through the operator's API: the reply is printed once, exit 0
        Cli.Result second = cli(kc, "run", "Second question " + ns, "--session", "chat", "--follow", "--name", "chat-second");
        assertEquals(0, second.exitCode(), second.toString());
        String reply2 = "Received 3 messages. Last: Second question " + ns;
        assertEquals(1, count(second.out(), reply2), second.toString());
        assertTrue(ApiUsers.reviewsOf(user) > 0, "followed through the API as the user");

        // a cluster that does not serve the operator's API (the bare mock server): the pod log is read instead
        // (named so the queue's order is plain even when it is created in the same second as chat-second: creation
        // time has second precision, and the name breaks the tie)
        Cli.Result third = cli(directKubeconfig(ns), "run", "Third question " + ns, "--session", "chat", "--follow",
                "--name", "chat-third");
        assertEquals(0, third.exitCode(), third.toString());
        assertEquals(1, count(third.out(), "Received 5 messages. Last: Third question " + ns), third.toString());
        assertTrue(third.err().contains("reading the pod log instead"), third.err());

        ClaudeMessage last = Harness.awaitPhase(client, ns, "chat-second", MessagePhase.Succeeded);
        String sessionId = last.getStatus().getSessionId();
        await().atMost(Duration.ofSeconds(20)).until(() -> Harness.getSession(client, ns, "chat").getStatus().getMessageCount() == 3);
        ClaudeSession session = Harness.getSession(client, ns, "chat");

        // session list: table and JSON
        Cli.Result table = cli(kc, "session", "list");
        assertEquals(0, table.exitCode(), table.toString());
        List<String> rows = table.out().lines().toList();
        assertTrue(rows.get(0).matches("NAME\\s+MESSAGES\\s+SESSION ID\\s+LAST ACTIVE\\s+PHASE"), rows.get(0));
        assertTrue(rows.get(1).matches("chat\\s+3\\s+" + sessionId + "\\s+\\S+\\s+Idle"), rows.get(1));
        JsonNode list = json(cli(kc, "session", "list", "-o", "json"));
        assertEquals(1, list.get("items").size());
        JsonNode item = list.at("/items/0");
        assertEquals(List.of("name", "created", "lastActive", "messageCount", "currentSessionId", "phase"), fields(item));
        assertEquals("chat", item.get("name").asText());
        assertEquals(3, item.get("messageCount").asLong());
        assertEquals(sessionId, item.get("currentSessionId").asText());
        assertEquals(session.getStatus().getLastActive(), item.get("lastActive").asText());

        // session show
        JsonNode show = json(cli(kc, "session", "show", "chat", "-o", "json"));
        assertEquals(List.of("name", "created", "lastActive", "messageCount", "currentSessionId", "phase", "sessionChain",
                "totalCostUsd", "usage", "messages"), fields(show));
        assertEquals(List.of(sessionId), texts(show.get("sessionChain")));
        assertEquals(3, show.get("messages").size());
        assertEquals(m1, show.at("/messages/0").asText());
        assertEquals("chat-second", show.at("/messages/1").asText());
        assertEquals(session.getStatus().getTotalCostUsd(), show.get("totalCostUsd").asDouble(), 1e-9);
        assertTrue(show.at("/usage/inputTokens").asLong() > 0);
        Cli.Result showText = cli(kc, "session", "show", "chat");
        assertTrue(showText.out().contains("Session ID:    " + sessionId + "\n"), showText.out());
        assertTrue(showText.out().lines().anyMatch(l -> l.matches("chat-second\\s+Succeeded\\s+\\$0\\.\\d{4}\\s+\\d+s")),
                showText.out());
        JsonNode yaml = Views.JSON.readTree(Views.JSON.writeValueAsString(
                new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory())
                        .readTree(cli(kc, "session", "show", "chat", "-o", "yaml").out())));
        assertEquals(show, yaml);

        // session history through the API: six entries, oldest first, ChannelCoder's Message shape
        ConversationKey chat = Harness.conversation(client, ns, "chat");
        List<HistoryEntry> stored = history.history(chat, 0, -1);
        JsonNode page = json(cli(kc, "session", "history", "chat", "-o", "json"));
        assertEquals(6, page.get("total").asLong());
        assertEquals(6, page.get("items").size());
        for (int i = 0; i < 6; i++) {
            JsonNode e = page.get("items").get(i);
            assertEquals(List.of("role", "content", "timestamp", "sessionId"), fields(e));
            assertEquals(stored.get(i).role(), e.get("role").asText());
            assertEquals(stored.get(i).content(), e.get("content").asText());
        }
        assertEquals("Second question " + ns, page.at("/items/2/content").asText());
        Cli.Result lastTwo = cli(kc, "session", "history", "chat", "--limit", "2");
        assertEquals(0, lastTwo.exitCode(), lastTwo.toString());
        assertTrue(lastTwo.out().startsWith("[" + stored.get(4).timestamp() + "] USER (" + sessionId + ")\nThird question "),
                lastTwo.out());
        assertTrue(lastTwo.out().contains("Received 5 messages."), lastTwo.out());
        assertFalse(lastTwo.out().contains("First question"), lastTwo.out());
        Cli.Result noApi = cli(directKubeconfig(ns), "session", "history", "chat");
        assertEquals(4, noApi.exitCode(), noApi.toString());
        // (the mock server answers an unknown path with an empty 200; a real one's 404 is OperatorApiTest's)
        assertTrue(noApi.err().startsWith("error: the operator API is not reachable"), noApi.err());

        // session export: ChannelCoder's SessionState, equal to one built here from Redis and the session status
        Path exported = dir.resolve("chat.json");
        Cli.Result export = cli(kc, "session", "export", "chat", "-o", exported.toString());
        assertEquals(0, export.exitCode(), export.toString());
        JsonNode state = Views.JSON.readTree(exported.toFile());
        assertEquals(List.of("sessionChain", "messages", "metadata", "currentSessionId"), fields(state));
        assertEquals(List.of(sessionId), texts(state.get("sessionChain")));
        assertEquals(sessionId, state.get("currentSessionId").asText());
        assertEquals(List.of("name", "created", "lastActive"), fields(state.get("metadata")));
        assertEquals("chat", state.at("/metadata/name").asText());
        assertEquals(jsDate(session.getStatus().getLastActive()), state.at("/metadata/lastActive").asText());
        assertEquals(6, state.get("messages").size());
        for (int i = 0; i < 6; i++) {
            JsonNode m = state.get("messages").get(i);
            assertEquals(List.of("role", "content", "timestamp", "sessionId"), fields(m));
            assertEquals(stored.get(i).role(), m.get("role").asText());
            assertEquals(stored.get(i).content(), m.get("content").asText());
            assertEquals(stored.get(i).sessionId(), m.get("sessionId").asText());
            assertEquals(jsDate(stored.get(i).timestamp()), m.get("timestamp").asText());
        }
        Cli.Result exportOut = cli(kc, "session", "export", "chat");
        assertEquals(Files.readString(exported) + "\n", exportOut.out());

        // logs of a finished message, through the API and from the pod log
        Cli.Result logs = cli(kc, "logs", m1);
        assertEquals(0, logs.exitCode(), logs.toString());
        assertEquals("Received 1 messages. Last: First question " + ns + "\n", logs.out());
        Cli.Result podLogs = cli(directKubeconfig(ns), "logs", m1);
        assertEquals(logs.out(), podLogs.out(), podLogs.toString());
        Cli.Result raw = cli(kc, "logs", m1, "--raw");
        List<String> types = new ArrayList<>();
        for (String line : raw.out().lines().toList()) {
            types.add(Views.JSON.readTree(line).get("type").asText());
        }
        assertEquals("system", types.get(0), raw.out());
        assertEquals("result", types.get(types.size() - 1), raw.out());
        assertTrue(types.contains("assistant"), raw.out());

        // session remove: the session goes, and with it (the operator's finalizer) its history
        Cli.Result removed = cli(kc, "session", "remove", "chat");
        assertEquals(0, removed.exitCode(), removed.toString());
        assertEquals("claudesession \"chat\" deleted\n", removed.out());
        await().atMost(Duration.ofSeconds(30)).until(() -> Harness.getSession(client, ns, "chat") == null);
        assertTrue(history.history(chat, 0, -1).isEmpty());
        Cli.Result gone = cli(kc, "session", "show", "chat");
        assertEquals(3, gone.exitCode());
        assertEquals("error: claudesession \"chat\" not found in namespace " + ns + "\n", gone.err());
    }

    /**
     * {@code session history} of a conversation past cso.history.max-entries (recorded here by the operator's store
     * with a cap of 4): what is left, said to be what is left, and the positions the operator's API keeps absolute.
     */
    @Test
    void aTrimmedHistoryIsShownAsWhatIsLeft() throws IOException {
        String ns = Harness.namespace(client, "cli-trim");
        Path kc = kubeconfig(ns);
        Harness.session(client, ns, "long", s -> s.setSuspend(true)); // its messages wait: this test records them
        var capped = new dev.sessionops.claude.history.HistoryStore(redis, new com.fasterxml.jackson.databind.ObjectMapper(),
                new dev.sessionops.claude.observability.OperatorMetrics(
                        new io.micrometer.core.instrument.simple.SimpleMeterRegistry()), 4);
        for (int i = 1; i <= 3; i++) {
            String name = "long-0" + i;
            Harness.message(client, ns, name, "long", "Prompt " + i);
            await().atMost(Duration.ofSeconds(20)).until(() -> ConversationKey.of(Harness.get(client, ns, name)).isPresent());
            ClaudeMessage m = Harness.get(client, ns, name);
            capped.record(ConversationKey.of(m).orElseThrow(), new dev.sessionops.claude.history.Completion(
                    m.getMetadata().getUid(), name, true, "Prompt " + i, "Reply " + i, "claude-trim", "2026-01-01T00:00:00Z",
                    "2026-01-01T00:00:05Z", 0.01, 1, 1, 0, 0, "turn-" + i), null);
        }

        JsonNode all = json(cli(kc, "session", "history", "long", "-o", "json"));
        assertEquals(List.of("Prompt 2", "Reply 2", "Prompt 3", "Reply 3"), contents(all));
        assertEquals(6, all.get("total").asLong());
        assertEquals(2, all.get("firstIndex").asLong());
        assertTrue(all.get("trimmed").asBoolean());
        Cli.Result text = cli(kc, "session", "history", "long");
        assertTrue(text.out().startsWith("(2 older entries were trimmed)\n\n[2026-01-01T00:00:00Z] USER"), text.out());
        assertEquals(List.of("Reply 2", "Prompt 3"), contents(json(cli(kc, "session", "history", "long", "--offset", "3",
                "--limit", "2", "-o", "json"))));
        Cli.Result lastTwo = cli(kc, "session", "history", "long", "--limit", "2");
        assertFalse(lastTwo.out().contains("trimmed"), "the last two are all there: " + lastTwo.out());
        assertTrue(lastTwo.out().contains("Prompt 3") && !lastTwo.out().contains("Reply 2"), lastTwo.out());
        Cli.Result export = cli(kc, "session", "export", "long");
        assertEquals(0, export.exitCode(), export.toString());
        assertEquals(4, Views.JSON.readTree(export.out()).get("messages").size());
        assertEquals("warning: the 2 oldest entries of session long were trimmed by the operator; the export holds the 4 kept\n",
                export.err());
    }

    private static List<String> contents(JsonNode page) {
        return StreamSupport.stream(page.get("items").spliterator(), false).map(i -> i.get("content").asText()).toList();
    }

    /**
     * {@code cancel}: a queued message ends Cancelled without a Job; the running one is interrupted (its Job deleted,
     * SIGTERM to the container's shell, SIGINT to the CLI, which ends its turn and prints its cost) and ends Cancelled
     * within seconds with its partial cost recorded; the session goes on with the next message, which resumes the
     * last succeeded turn. {@code session reset} asks for a new conversation.
     */
    @Test
    void cancelAQueuedAndARunningMessageThenTheSessionGoesOn() throws IOException {
        String ns = Harness.namespace(client, "cli-cancel");
        Path kc = kubeconfig(ns);
        Harness.session(client, ns, "stop", s -> s.setAllowedTools(List.of("Bash(timeout:*)")));
        assertEquals(0, cli(kc, "run", "Hello", "--session", "stop", "--name", "stop-01", "--follow").exitCode());
        String first = Harness.get(client, ns, "stop-01").getStatus().getSessionId();
        // a command line only this test's tool runs; not a sleep, which the CLI (2.1.330) refuses when long
        String marker = "timeout 61" + ns.length() + " tail -F ./cancel-" + ns; // in the workspace: the CLI reads only there
        Harness.message(client, ns, "stop-02", "stop", "[[tool Bash {\"command\":\"" + marker + "\"}]]");
        assertEquals(0, cli(kc, "run", "Never mind", "--session", "stop", "--name", "stop-03").exitCode());
        await().atMost(Duration.ofSeconds(60)).failFast("stop-02 ended without its tool running", () -> {
            ClaudeMessage m = Harness.get(client, ns, "stop-02");
            return m.getStatus() != null && m.getStatus().getPhase() != null && m.getStatus().getPhase().isTerminal();
        }).until(() -> ProcessHandle.allProcesses().anyMatch(p -> isTheTool(p, marker)));

        Cli.Result queued = cli(kc, "cancel", "stop-03");
        assertEquals(0, queued.exitCode(), queued.toString());
        assertEquals("claudemessage \"stop-03\" cancel requested\n", queued.out());
        ClaudeMessage never = Harness.awaitPhase(client, ns, "stop-03", MessagePhase.Cancelled);
        assertEquals("Cancelled", Harness.reason(never));
        assertNull(never.getStatus().getJobName(), "it never had a Job");

        long asked = System.nanoTime();
        assertEquals(0, cli(kc, "cancel", "stop-02").exitCode());
        ClaudeMessage stopped = Harness.awaitPhase(client, ns, "stop-02", MessagePhase.Cancelled);
        assertTrue(Duration.ofNanos(System.nanoTime() - asked).toSeconds() < 20, "stopped long before its tool's 61xx s");
        assertEquals("Cancelled", Harness.reason(stopped));
        var events = redis.execute("XRANGE", ConversationKey.eventsOf(stopped), "-", "+");
        // the CLI ended the interrupted turn and printed its result: the run's figures are the message's and the session's
        assertTrue(Harness.conditionMessage(stopped).contains("its cost is recorded"), Harness.conditionMessage(stopped)
                + "; its events: " + events);
        assertNotNull(stopped.getStatus().getCostUsd());
        assertTrue(stopped.getStatus().getNumTurns() > 0);
        assertEquals(0, cli(kc, "cancel", "stop-02").exitCode(), "cancelling an ended message is a no-op");
        await().atMost(Duration.ofSeconds(30)).until(() -> Harness.getSession(client, ns, "stop").getStatus()
                .getTotalCostUsd() >= Harness.get(client, ns, "stop-01").getStatus().getCostUsd()
                        + stopped.getStatus().getCostUsd() - 1e-9);

        Cli.Result next = cli(kc, "run", "And now?", "--session", "stop", "--name", "stop-04", "--follow");
        assertEquals(0, next.exitCode(), next.toString());
        assertEquals(first, Harness.get(client, ns, "stop-04").getStatus().getResumedFrom(), "the conversation goes on");
        assertTrue(Harness.jobs(client, ns).stream().noneMatch(j -> j.getMetadata().getName().startsWith("stop-03")),
                "no Job for the message cancelled before it started");

        Cli.Result reset = cli(kc, "session", "reset", "stop");
        assertEquals(0, reset.exitCode(), reset.toString());
        assertNotNull(Harness.getSession(client, ns, "stop").getSpec().getResetConversation());
        await().atMost(Duration.ofSeconds(30)).until(() -> Harness.getSession(client, ns, "stop").getStatus()
                .getConversationReset() != null);
    }

    /**
     * The tool's own process, not a shell that has yet to start it (the CLI's command line holds no prompt: it
     * reads the prompt from stdin).
     */
    private static boolean isTheTool(ProcessHandle p, String marker) {
        String line = p.info().commandLine().orElse("");
        return line.equals(marker) || line.endsWith("/" + marker);
    }

    @Test
    void aFailingPromptExitsOneWithTheReasonOnStderr() throws IOException {
        String ns = Harness.namespace(client, "cli-fail");
        Path kc = kubeconfig(ns);
        Cli.Result run = cli(kc, "run", "[[error 400 boom]]", "--new-session", "errs", "--follow", "--name", "errs-1");
        assertEquals(1, run.exitCode(), run.toString());
        ClaudeMessage failed = Harness.get(client, ns, "errs-1");
        assertEquals(MessagePhase.Failed, failed.getStatus().getPhase());
        String reported = "claudemessage errs-1 Failed (" + Harness.reason(failed) + "): " + Harness.conditionMessage(failed);
        assertEquals("CliError", Harness.reason(failed));
        assertEquals(1, count(run.err(), "Failed"), run.toString());
        // the name, its progress, then the failure (the last line)
        List<String> lines = run.err().lines().toList();
        assertEquals("claudemessage errs-1 created", lines.get(0), run.toString());
        assertEquals(reported, lines.get(lines.size() - 1), run.toString());
        assertTrue(run.err().contains("boom"), run.err());

        Cli.Result waited = cli(kc, "wait", "errs-1");
        assertEquals(1, waited.exitCode());
        assertEquals("", waited.out());
        assertEquals(reported + "\n", waited.err());
        for (String[] logs : new String[][] {{"logs", "errs-1", "-f", "-q"}, {"logs", "errs-1"}}) {
            Cli.Result r = cli(kc, logs);
            assertEquals(1, r.exitCode(), r.toString());
            assertEquals(reported + "\n", r.err());
        }
    }

    /**
     * {@code run --follow} talks while it waits: the message's name, queued behind the message before it, pod
     * starting or running, and with the model API unreachable (the session's env points the CLI at a closed port),
     * the CLI's own retry events as "retrying the model API (attempt n of m)" within 10 s of the run starting
     * (issue 12), stdout staying the reply. Then the cancelled message ends the command with exit 1.
     */
    @Test
    void runFollowTellsItsProgressAndTheModelApisRetries() throws Exception {
        String ns = Harness.namespace(client, "cli-retry");
        Path kc = kubeconfig(ns);
        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        Harness.session(client, ns, "down", s -> s.setEnv(List.of(new io.fabric8.kubernetes.api.model.EnvVar(
                "ANTHROPIC_BASE_URL", "http://127.0.0.1:" + closedPort, null))));
        // one message ahead, slow enough to still run when the followed one is queued
        Harness.message(client, ns, "down-01", "down", "[[sleep 60000]] first");
        await().atMost(Duration.ofSeconds(30)).until(() -> Harness.get(client, ns, "down-01").getStatus() != null
                && Harness.get(client, ns, "down-01").getStatus().getPhase() == MessagePhase.Running);
        java.io.StringWriter out = new java.io.StringWriter();
        java.io.StringWriter err = new java.io.StringWriter();
        java.util.concurrent.CompletableFuture<Cli.Result> run = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> Cli.run(Environment.withEnv(k -> null), out, err, withKubeconfig(kc, "run", "Hello", "--session",
                        "down", "--name", "down-02", "--follow")));
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> err.toString().contains("queued behind 1 message of session down"));
            assertTrue(err.toString().startsWith("claudemessage down-02 created\n"), err.toString());
            // logs of a message that has not run yet says where it is
            Cli.Result waiting = cli(kc, "logs", "down-02");
            assertEquals(0, waiting.exitCode(), waiting.toString());
            assertEquals("queued behind 1 message of session down\n", waiting.err());
            assertEquals(0, cli(kc, "cancel", "down-01").exitCode());
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                ClaudeMessage m = Harness.get(client, ns, "down-02");
                return m.getStatus() != null && m.getStatus().getPhase() == MessagePhase.Running;
            });
            long running = System.nanoTime();
            await().atMost(Duration.ofSeconds(10)).until(() -> err.toString().contains("retrying the model API (attempt 1 of "));
            System.out.println("first retry line " + Duration.ofNanos(System.nanoTime() - running).toMillis()
                    + " ms after the message was Running");
            assertTrue(err.toString().matches("(?s).*\nretrying the model API \\(attempt 1 of \\d+\\): \\S.*"), err.toString());
            assertTrue(err.toString().contains("\npod starting\n") || err.toString().contains("\nrunning\n"), err.toString());
        } finally {
            cli(kc, "cancel", "down-01");
            cli(kc, "cancel", "down-02");
        }
        Cli.Result r = run.get(60, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(1, r.exitCode(), r.toString());
        assertFalse(r.out().contains("retrying"), "stdout is the reply only: " + r);
        assertTrue(r.err().strip().endsWith("claudemessage down-02 Cancelled (Cancelled): "
                + Harness.conditionMessage(Harness.get(client, ns, "down-02"))), r.toString());
    }

    @Test
    void promptFilesDataTimeoutsAndJsonOutput() throws IOException {
        String ns = Harness.namespace(client, "cli-files");
        Path kc = kubeconfig(ns);
        // front matter: the file goes to a ConfigMap the message owns, and the operator applies its front matter
        Path withFrontMatter = dir.resolve("greet.md");
        Files.writeString(withFrontMatter, "---\nvariables: {who: world}\n---\nHello {who} from a file");
        Cli.Result fm = cli(kc, "run", "-f", withFrontMatter.toString(), "--new-session", "files", "--name", "files-1");
        assertEquals(0, fm.exitCode(), fm.toString());
        ClaudeMessage m1 = Harness.get(client, ns, "files-1");
        assertNull(m1.getSpec().getPrompt());
        assertEquals("files-1-prompt", m1.getSpec().getPromptFrom().getConfigMapKeyRef().getName());
        ConfigMap cm = client.configMaps().inNamespace(ns).withName("files-1-prompt").get();
        assertEquals(Files.readString(withFrontMatter), cm.getData().get(PromptInput.KEY));
        assertEquals(m1.getMetadata().getUid(), cm.getMetadata().getOwnerReferences().get(0).getUid());
        assertEquals("ClaudeMessage", cm.getMetadata().getOwnerReferences().get(0).getKind());

        // no front matter: inline, with --data for the placeholder; -o json prints the message
        Path plain = dir.resolve("plain.md");
        Files.writeString(plain, "Plain {who}");
        JsonNode created = json(cli(kc, "run", "-f", plain.toString(), "--session", "files", "--data", "who=team",
                "--name", "files-2", "-o", "json", "--permission-mode", "acceptEdits", "--max-turns", "5",
                "--allowed-tools", "Read,Bash(git log:*)", "--timeout", "10m"));
        assertEquals(List.of("name", "session", "created", "phase", "prompt", "sessionId", "resumedFrom", "result",
                "resultTruncated", "costUsd", "numTurns", "durationMs", "usage", "jobName", "startedAt", "completedAt",
                "permissionDenials", "conditions"), fields(created));
        assertEquals("files-2", created.get("name").asText());
        assertEquals("files", created.get("session").asText());
        assertEquals("Plain {who}", created.get("prompt").asText());
        ClaudeMessage m2 = Harness.get(client, ns, "files-2");
        assertEquals("team", m2.getSpec().getVariables().get("who"));
        assertEquals("acceptEdits", m2.getSpec().getPermissionMode());
        assertEquals(5, m2.getSpec().getMaxTurns());
        assertEquals(List.of("Read", "Bash(git log:*)"), m2.getSpec().getAllowedTools());
        assertEquals("10m", m2.getSpec().getTimeout());

        // wait -o json: the finished message
        JsonNode done = json(cli(kc, "wait", "files-2", "-o", "json"));
        assertEquals(fields(created), fields(done));
        assertEquals("Succeeded", done.get("phase").asText());
        assertEquals(Harness.get(client, ns, "files-2").getStatus().getJobName(), done.get("jobName").asText());
        assertEquals("Received 3 messages. Last: Plain team", done.get("result").asText());
        assertEquals("Received 1 messages. Last: Hello world from a file", Harness.get(client, ns, "files-1").getStatus().getResult());

        // wait times out with exit code 2, then the message finishes
        assertEquals(0, cli(kc, "run", "[[sleep 4000]] Slowly", "--session", "files", "--name", "files-3").exitCode());
        Cli.Result timedOut = cli(kc, "wait", "files-3", "--timeout", "1s");
        assertEquals(5, timedOut.exitCode(), timedOut.toString());
        assertEquals("error: timed out after 1s waiting for claudemessage files-3\n", timedOut.err());
        assertEquals(0, cli(kc, "wait", "files-3", "--timeout", "2m").exitCode());
        Cli.Result missing = cli(kc, "wait", "nope");
        assertEquals(3, missing.exitCode());
        assertEquals("error: claudemessage \"nope\" not found in namespace " + ns + "\n", missing.err());
    }

    private static JsonNode json(Cli.Result r) throws IOException {
        assertEquals(0, r.exitCode(), r.toString());
        return Views.JSON.readTree(r.out());
    }

    private static List<String> fields(JsonNode n) {
        List<String> names = new ArrayList<>();
        n.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static List<String> texts(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
    }

    private static String jsDate(String iso) {
        return ChannelCoderExport.jsDate(iso);
    }

    /** The plugin in this JVM with its output captured (the kubectl-claude module's own tests have the same helper). */
    static final class Cli {
        record Result(int exitCode, String out, String err) {
            @Override
            public String toString() {
                return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
            }
        }

        static Result run(Environment env, String... args) {
            return run(env, new java.io.StringWriter(), new java.io.StringWriter(), args);
        }

        /** With writers the caller reads while the command runs (a StringWriter is thread-safe). */
        static Result run(Environment env, java.io.StringWriter out, java.io.StringWriter err, String... args) {
            picocli.CommandLine cmd = KubectlClaude.commandLine(env);
            cmd.setOut(new java.io.PrintWriter(out, true));
            cmd.setErr(new java.io.PrintWriter(err, true));
            int code = cmd.execute(args);
            return new Result(code, out.toString(), err.toString());
        }
    }
}
