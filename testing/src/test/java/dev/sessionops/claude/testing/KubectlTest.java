package dev.sessionops.claude.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Kubectl} reports what kubectl printed and never leaves a kubectl running. */
class KubectlTest {

    @Test
    void reportsExitCodeAndOutput(@TempDir Path dir) throws IOException {
        Kubectl.Result result = Kubectl.run(kubeconfig(dir, 1), Duration.ofSeconds(30), "version", "--client");
        assertEquals(0, result.exitCode(), result.toString());
        assertTrue(result.stdout().contains("Client Version"), result.toString());

        // nothing listens on loopback port 1
        Kubectl.Result refused = Kubectl.run(kubeconfig(dir, 1), Duration.ofSeconds(30), "get", "--raw", "/version");
        assertTrue(refused.exitCode() != 0, refused.toString());
        assertTrue(refused.stderr().contains("refused"), refused.toString());
    }

    @Test
    void aRunPastItsTimeoutIsKilled(@TempDir Path dir) throws IOException {
        // a loopback port that accepts connections (the backlog does) but never answers: kubectl waits for TLS
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Path config = kubeconfig(dir, silent.getLocalPort());
            IllegalStateException timedOut = assertThrows(IllegalStateException.class,
                    () -> Kubectl.run(config, Duration.ofSeconds(2), "get", "--raw", "/version"));
            assertTrue(timedOut.getMessage().contains("did not finish within 2 s"), timedOut.getMessage());
        }
        assertTrue(ProcessHandle.current().descendants()
                .noneMatch(p -> p.info().command().orElse("").endsWith("kubectl")), "kubectl was stopped");
    }

    private static Path kubeconfig(Path dir, int port) throws IOException {
        return Files.writeString(dir.resolve("config-" + port), """
                apiVersion: v1
                kind: Config
                clusters:
                - name: c
                  cluster:
                    server: https://127.0.0.1:%d
                    insecure-skip-tls-verify: true
                users:
                - name: u
                  user:
                    token: t
                contexts:
                - name: c
                  context: {cluster: c, user: u}
                current-context: c
                """.formatted(port));
    }
}
