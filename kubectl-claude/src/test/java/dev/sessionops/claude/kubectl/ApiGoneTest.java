package dev.sessionops.claude.kubectl;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.api.v1alpha1.ClaudeMessageSpec;
import dev.sessionops.claude.api.v1alpha1.ClaudeMessageStatus;
import dev.sessionops.claude.api.v1alpha1.MessagePhase;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;

/**
 * The Kubernetes API goes away while a command runs: one line naming the server and why, exit 4, no stack trace.
 * The API is Fabric8's CRUD server (what local mode embeds), stopped under {@code wait} and {@code logs -f}.
 */
class ApiGoneTest {
    private static final String GONE = "error: cannot reach the Kubernetes API at http://127\\.0\\.0\\.1:\\d+: "
            + "(connection refused|the connection was closed)\n";
    private KubernetesMockServer server;
    private KubernetesClient client;
    private Path kubeconfig;

    @BeforeEach
    void start() throws Exception {
        Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
        server = new KubernetesMockServer(new Context(), new MockWebServer(), responses,
                new KubernetesMixedDispatcher(responses), false);
        server.init(InetAddress.getByName("127.0.0.1"), 0);
        String url = "http://127.0.0.1:" + server.getPort();
        client = new KubernetesClientBuilder().withConfig(new ConfigBuilder(Config.empty()).withMasterUrl(url)
                .withNamespace("default").build()).build();
        kubeconfig = Files.createTempFile("kubeconfig", ".yaml");
        Files.writeString(kubeconfig, """
                apiVersion: v1
                kind: Config
                clusters:
                - name: c
                  cluster: {server: "%s"}
                users:
                - name: u
                  user: {token: t}
                contexts:
                - name: c
                  context: {cluster: c, user: u, namespace: default}
                current-context: c
                """.formatted(url));
        ClaudeMessage m = new ClaudeMessage();
        m.setMetadata(new ObjectMetaBuilder().withName("m1").withNamespace("default").build());
        m.setSpec(new ClaudeMessageSpec());
        m.getSpec().setPrompt("hi");
        m = client.resources(ClaudeMessage.class).resource(m).create();
        m.setStatus(new ClaudeMessageStatus());
        m.getStatus().setPhase(MessagePhase.Running);
        client.resources(ClaudeMessage.class).resource(m).updateStatus();
    }

    @AfterEach
    void stop() throws Exception {
        client.close();
        server.destroy();
        Files.deleteIfExists(kubeconfig);
    }

    @Test
    void waitAndLogsSayTheApiIsGoneInOneLine() throws Exception {
        for (String[] command : new String[][] {{"wait", "m1"}, {"logs", "-f", "m1"}}) {
            if (command[0].equals("logs")) {
                start(); // a new server for the second command
            }
            AtomicInteger requests = new AtomicInteger(server.getRequestCount());
            CompletableFuture<Cli.Result> running = CompletableFuture.supplyAsync(() -> Cli.run(
                    Environment.withEnv(k -> null), withKubeconfig(command)));
            // the command is polling the message: then the API goes
            await().atMost(Duration.ofSeconds(30)).until(() -> server.getRequestCount() > requests.get() + 2);
            server.destroy();
            Cli.Result r = running.get(60, TimeUnit.SECONDS);
            assertEquals(ExitCodes.UNREACHABLE, r.exitCode(), r.toString());
            // one failure line; before it logs -f may tell its progress and that it reads the pod log (this API
            // server does not serve the operator's API), never a stack trace
            assertTrue(failureLines(r).matches(GONE), String.join(" ", command) + ": " + r);
            assertTrue(r.err().lines().noneMatch(l -> l.contains("Exception") || l.startsWith("\tat ")), r.toString());
            client.close();
        }
    }

    @Test
    void noServerAtAllIsTheSameLine() throws Exception {
        server.destroy();
        for (String[] command : new String[][] {{"session", "list"}, {"cancel", "m1"}, {"run", "hi", "--session", "s"}}) {
            Cli.Result r = Cli.run(Environment.withEnv(k -> null), withKubeconfig(command));
            assertEquals(ExitCodes.UNREACHABLE, r.exitCode(), r.toString());
            assertTrue(r.err().matches(GONE), r.toString());
        }
    }

    @Test
    void notFoundIsThree() {
        for (String[] command : new String[][] {{"wait", "nope"}, {"logs", "nope"}, {"cancel", "nope"},
                {"session", "show", "nope"}, {"run", "hi", "--session", "nope"}}) {
            Cli.Result r = Cli.run(Environment.withEnv(k -> null), withKubeconfig(command));
            assertEquals(ExitCodes.NOT_FOUND, r.exitCode(), r.toString());
            assertEquals(1, r.err().lines().count(), r.toString());
            assertTrue(r.err().matches("error: claude(message|session) \"nope\" not found in namespace default\n"), r.toString());
        }
    }

    @Test
    void aStackTraceOnlyWhenAskedFor() throws Exception {
        server.destroy();
        Cli.Result r = Cli.run(Environment.withEnv(k -> k.equals(ErrorReporter.DEBUG_ENV) ? "1" : null),
                withKubeconfig("session", "list"));
        assertEquals(ExitCodes.UNREACHABLE, r.exitCode(), r.toString());
        assertTrue(r.err().contains("\tat "), r.toString());
        assertTrue(r.err().lines().reduce((a, b) -> b).orElse("").startsWith("error: cannot reach the Kubernetes API"),
                r.toString());
    }

    private static String failureLines(Cli.Result r) {
        return r.err().lines().filter(l -> l.startsWith("error: ")).map(l -> l + "\n").reduce("", String::concat);
    }

    private String[] withKubeconfig(String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "--kubeconfig";
        all[1] = kubeconfig.toString();
        System.arraycopy(args, 0, all, 2, args.length);
        return all;
    }
}
