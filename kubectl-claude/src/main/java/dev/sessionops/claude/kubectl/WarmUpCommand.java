package dev.sessionops.claude.kubectl;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import picocli.CommandLine.Command;

import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.api.v1alpha1.ClaudeSession;
import io.fabric8.kubernetes.client.utils.Serialization;

/**
 * Hidden: the training run for the class-data sharing archive {@code scripts/kubectl-claude} keeps (Java's AppCDS):
 * it goes through what an API call loads (a kubeconfig parsed, the client and its TLS set up, a request, a
 * session and a message read and printed) against a port nothing listens on, so no cluster is needed, and prints
 * nothing. The archive then serves every command, not only the first one a user happened to type.
 */
@Command(name = "warm-up", hidden = true, description = "Load what an API call loads, for the start-up archive.")
final class WarmUpCommand extends ClaudeSubcommand {
    private static final String KUBECONFIG = """
            apiVersion: v1
            kind: Config
            clusters:
            - name: none
              cluster: {server: "https://127.0.0.1:1", insecure-skip-tls-verify: true}
            users:
            - name: none
              user: {token: warm-up}
            contexts:
            - name: none
              context: {cluster: none, user: none, namespace: default}
            current-context: none
            """;
    private static final String SESSION = """
            {"apiVersion":"claude.sessionops.dev/v1alpha1","kind":"ClaudeSession","metadata":{"name":"s",
             "creationTimestamp":"2026-01-01T00:00:00Z"},"spec":{},"status":{"phase":"Idle","messageCount":1,
             "lastActive":"2026-01-01T00:00:00Z"}}""";
    private static final String MESSAGE = """
            {"apiVersion":"claude.sessionops.dev/v1alpha1","kind":"ClaudeMessage","metadata":{"name":"m",
             "creationTimestamp":"2026-01-01T00:00:00Z"},"spec":{"sessionRef":{"name":"s"},"prompt":"hi"},
             "status":{"phase":"Succeeded","result":"hello","conditions":[{"type":"Succeeded","status":"True",
             "reason":"Succeeded","message":"done","lastTransitionTime":"2026-01-01T00:00:00Z"}]}}""";

    @Override
    public Integer call() throws Exception {
        PrintWriter sink = new PrintWriter(new StringWriter());
        Path kubeconfig = Files.createTempFile("kubectl-claude-warm-up", ".yaml");
        try {
            Files.writeString(kubeconfig, KUBECONFIG);
            try (Kube kube = Kube.connect(kubeconfig, null, null)) {
                kube.sessions().withName("s").get();
            } catch (RuntimeException expected) {
                Failure.of(expected, null); // nothing listens there
            }
        } finally {
            Files.deleteIfExists(kubeconfig);
        }
        ClaudeSession session = Serialization.unmarshal(SESSION, ClaudeSession.class);
        ClaudeMessage message = Serialization.unmarshal(MESSAGE, ClaudeMessage.class);
        OutputFormat.json.print(sink, Views.sessionInfo(session));
        OutputFormat.yaml.print(sink, Views.message(message));
        new EventPrinter(sink, false).accept(null, "{\"type\":\"result\",\"result\":\"hello\"}");
        Outcome.report(message, sink);
        return ExitCodes.OK;
    }
}
