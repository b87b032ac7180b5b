package dev.sessionops.claude.local;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.api.v1alpha1.ClaudeMessageSpec;
import dev.sessionops.claude.api.v1alpha1.ClaudeSession;
import dev.sessionops.claude.api.v1alpha1.ClaudeSessionSpec;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

/** Owner-reference garbage collection on the embedded API, which has none of its own. */
class GarbageCollectorTest {
    private MockApi api;
    private KubernetesClient client;
    private GarbageCollector collector;

    @TempDir
    Path volumes;

    @BeforeEach
    void start() {
        api = MockApi.start(server -> {
        });
        client = api.client();
    }

    @AfterEach
    void stop() {
        if (collector != null) {
            collector.close();
        }
        api.close();
    }

    private Path claimDir(PersistentVolumeClaim claim) {
        return volumes.resolve(claim.getMetadata().getNamespace()).resolve(claim.getMetadata().getName());
    }

    /** A session, its message, the message's Job and prompt ConfigMap, the session's claim and its host directory. */
    private ClaudeSession sessionWithEverything() throws Exception {
        ClaudeSession session = new ClaudeSession();
        session.setMetadata(new ObjectMetaBuilder().withName("demo").build());
        session.setSpec(new ClaudeSessionSpec());
        session = client.resource(session).create();
        ClaudeMessage message = new ClaudeMessage();
        message.setMetadata(new ObjectMetaBuilder().withName("demo-01").withOwnerReferences(owner(session)).build());
        message.setSpec(new ClaudeMessageSpec());
        message.getSpec().setPrompt("Hello");
        message = client.resource(message).create();
        client.resource(new JobBuilder().withNewMetadata().withName("demo-01-job").withOwnerReferences(owner(message))
                .endMetadata().build()).create();
        client.resource(new ConfigMapBuilder().withNewMetadata().withName("demo-01-prompt").withOwnerReferences(owner(message))
                .endMetadata().build()).create();
        PersistentVolumeClaim claim = client.resource(new PersistentVolumeClaimBuilder().withNewMetadata()
                .withName("demo-state").withOwnerReferences(owner(session)).endMetadata().build()).create();
        Files.createDirectories(claimDir(claim));
        Files.writeString(claimDir(claim).resolve("transcript.jsonl"), "{}");
        return session;
    }

    @Test
    void deletingASessionTakesItsMessagesTheirJobsAndItsClaimWithItsFolder() throws Exception {
        ClaudeSession session = sessionWithEverything();
        ConfigMapBuilder unrelated = new ConfigMapBuilder().withNewMetadata().withName("mine").endMetadata();
        client.resource(unrelated.build()).create();
        collector = new GarbageCollector(client, this::claimDir).start();

        client.resource(session).delete();

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertTrue(client.resources(ClaudeMessage.class).list().getItems().isEmpty());
            assertTrue(client.batch().v1().jobs().list().getItems().isEmpty());
            assertTrue(client.configMaps().withName("demo-01-prompt").get() == null);
            assertTrue(client.persistentVolumeClaims().list().getItems().isEmpty());
            assertFalse(Files.exists(volumes.resolve("default").resolve("demo-state")), "the claim's folder");
        });
        assertNotNull(client.configMaps().withName("mine").get(), "an object without owners stays");
    }

    @Test
    void whatWasOrphanedWhileLocalModeWasDownGoesAtStart() throws Exception {
        ClaudeSession session = sessionWithEverything();
        client.resource(session).delete(); // no collector running

        collector = new GarbageCollector(client, this::claimDir).start();

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertTrue(client.resources(ClaudeMessage.class).list().getItems().isEmpty());
            assertTrue(client.batch().v1().jobs().list().getItems().isEmpty(), "the message's dependents follow");
            assertTrue(client.persistentVolumeClaims().list().getItems().isEmpty());
        });
    }

    private static io.fabric8.kubernetes.api.model.OwnerReference owner(HasMetadata owner) {
        return new OwnerReferenceBuilder().withApiVersion(owner.getApiVersion()).withKind(owner.getKind())
                .withName(owner.getMetadata().getName()).withUid(owner.getMetadata().getUid()).build();
    }
}
