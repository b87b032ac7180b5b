package dev.sessionops.claude.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.api.v1alpha1.ClaudeSession;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;

/** Saved sessions come back with their identity, and resource versions that never go back — within reason. */
class SavedObjectsTest {

    @Test
    void versionsGoOnFromTheSavedOnesAndAnAbsurdOneDoesNotHangTheStart(@TempDir Path dir) throws Exception {
        assertEquals("1001", restoredVersionAfterSaving(dir.resolve("a.json"), "1000"), "counted past the saved version");
        // a file naming a version no local mode reaches (edited, corrupt): the start goes on, versions start over
        String restarted = restoredVersionAfterSaving(dir.resolve("b.json"), "999999999999999999");
        assertTrue(Long.parseLong(restarted) < 10, "not counted towards 10^18: " + restarted);
    }

    private static String restoredVersionAfterSaving(Path file, String version) throws Exception {
        Files.writeString(file, """
                {"sessions": [{"apiVersion": "claude.sessionops.dev/v1alpha1", "kind": "ClaudeSession",
                  "metadata": {"name": "demo", "namespace": "default", "uid": "u-1", "resourceVersion": "%s",
                    "creationTimestamp": "2026-11-01T10:00:00Z"}, "spec": {}}],
                 "messages": []}""".formatted(version));
        Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
        KubernetesCrudDispatcher store = new KubernetesCrudDispatcher(List.of(LocalMode.namespaced(ClaudeSession.class),
                LocalMode.namespaced(ClaudeMessage.class)));
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), responses, store, false);
        server.init(LocalMode.loopbackV4(), 0);
        List<AutoCloseable> resources = new ArrayList<>();
        try (KubernetesClient client = new KubernetesClientBuilder().withConfig(new ConfigBuilder(Config.empty())
                .withMasterUrl("http://127.0.0.1:" + server.getPort()).withNamespace("default").build()).build()) {
            new SavedObjects(client, file, store).restoreThenKeepSaving(resources);
            ClaudeSession restored = client.resources(ClaudeSession.class).inNamespace("default").withName("demo").get();
            assertEquals("u-1", restored.getMetadata().getUid());
            assertEquals("2026-11-01T10:00:00Z", restored.getMetadata().getCreationTimestamp());
            return restored.getMetadata().getResourceVersion();
        } finally {
            for (AutoCloseable r : resources) {
                r.close();
            }
            server.destroy();
        }
    }
}
