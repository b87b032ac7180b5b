package dev.sessionops.claude.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;

/** Server-side apply on the embedded API, as the packaged operator uses it, with the Fabric8 client's own calls. */
class ServerSideApplyTest {
    private static final LocalToken TOKEN = LocalToken.generate();
    private KubernetesMockServer server;
    private KubernetesClient client;

    @BeforeEach
    void start() {
        Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
        server = new KubernetesMockServer(new Context(), new MockWebServer(), responses, new KubernetesMixedDispatcher(responses), false);
        EmbeddedApiGuard.install(server, TOKEN, "alice");
        server.init(LocalMode.loopbackV4(), 0);
        ServerSideApply.serve(server);
        client = new KubernetesClientBuilder().withConfig(new ConfigBuilder(Config.empty())
                .withMasterUrl("http://127.0.0.1:" + server.getPort()).withOauthToken(TOKEN.value())
                .withRequestRetryBackoffLimit(0).withNamespace("default").build()).build();
    }

    @AfterEach
    void stop() {
        client.close();
        server.destroy();
    }

    /**
     * The operator SDK removes its finalizer by JSON patch and caches what the patch returns: the embedded API answers
     * with the object (as the API server does), not the mock's empty 202, and the object is gone.
     */
    @Test
    void removingTheLastFinalizerOfADeletedObjectAnswersWithTheObject() {
        ConfigMap cm = new ConfigMapBuilder().withNewMetadata().withName("ending").withFinalizers("x/keep").endMetadata()
                .build();
        client.resource(cm).create();
        client.configMaps().withName("ending").delete();
        assertNotNull(client.configMaps().withName("ending").get().getMetadata().getDeletionTimestamp());

        ConfigMap last = client.configMaps().withName("ending").patch(PatchContext.of(PatchType.JSON),
                "[{\"op\":\"remove\",\"path\":\"/metadata/finalizers\"}]");

        assertNotNull(last, "the answer carries the object");
        assertEquals("ending", last.getMetadata().getName());
        assertTrue(last.getMetadata().getFinalizers() == null || last.getMetadata().getFinalizers().isEmpty());
        assertNull(client.configMaps().withName("ending").get(), "and it is gone");
    }

    @Test
    void applyCreatesAMissingObjectThenAppliesOverIt() {
        ConfigMap first = configMap(Map.of("a", "1"), List.of("x/first"));
        first.getMetadata().setLabels(Map.of("app.kubernetes.io/name", "one"));
        apply(first);
        client.configMaps().withName("cm").edit(c -> {
            c.getMetadata().getLabels().put("someone-else", "kept");
            return c;
        });
        apply(configMap(Map.of("b", "2"), List.of("x/second")));

        ConfigMap stored = client.configMaps().withName("cm").get();
        assertEquals(Map.of("b", "2"), stored.getData(), "the one applier no longer sets a: it goes");
        assertEquals(Map.of("app.kubernetes.io/name", "one", "someone-else", "kept"), stored.getMetadata().getLabels());
        // a finalizer is added by apply, never dropped by another apply (removal is a JSON patch)
        assertEquals(List.of("x/first", "x/second"), stored.getMetadata().getFinalizers());
    }

    @Test
    void aResourceVersionInTheAppliedObjectMustBeCurrent() {
        // the embedded API numbers versions from 1 for the whole store; a cluster's first object is never "1"
        client.resource(new ConfigMapBuilder().withNewMetadata().withName("earlier").endMetadata().build()).create();
        ConfigMap createOnly = configMap(Map.of("a", "1"), List.of());
        createOnly.getMetadata().setResourceVersion("1"); // what the operator SDK sends to create only if missing
        apply(createOnly);
        assertEquals("1", client.configMaps().withName("cm").get().getData().get("a"));

        createOnly.getData().put("a", "2");
        KubernetesClientException conflict = assertThrows(KubernetesClientException.class, () -> apply(createOnly));
        assertEquals(409, conflict.getCode(), client.configMaps().withName("cm").get().getMetadata().getResourceVersion());
        assertEquals("1", client.configMaps().withName("cm").get().getData().get("a"));
    }

    @Test
    void anAppliedStatusReplacesTheStatus() {
        client.resource(new PodBuilder().withNewMetadata().withName("p").endMetadata().withNewSpec().addNewContainer()
                .withName("c").withImage("i").endContainer().endSpec().build()).create();
        Pod running = new PodBuilder().withNewMetadata().withName("p").endMetadata()
                .withNewStatus().withPhase("Running").withMessage("started").endStatus().build();
        client.pods().withName("p").subresource("status").patch(status(), running);
        Pod done = new PodBuilder().withNewMetadata().withName("p").endMetadata()
                .withNewStatus().withPhase("Succeeded").endStatus().build();
        client.pods().withName("p").subresource("status").patch(status(), done);

        Pod stored = client.pods().withName("p").get();
        assertEquals("Succeeded", stored.getStatus().getPhase());
        assertNull(stored.getStatus().getMessage(), "a field the applier no longer sets is gone");
        assertEquals("i", stored.getSpec().getContainers().get(0).getImage());
    }

    @Test
    void applyingTheStatusOfAMissingObjectIsNotFound() {
        Pod ghost = new PodBuilder().withNewMetadata().withName("ghost").endMetadata().withNewStatus().withPhase("Running")
                .endStatus().build();
        KubernetesClientException missing = assertThrows(KubernetesClientException.class,
                () -> client.pods().withName("ghost").subresource("status").patch(status(), ghost));
        assertEquals(404, missing.getCode());
    }

    /** As the operator SDK applies (ResourceOperations.serverSideApply). */
    private void apply(ConfigMap configMap) {
        client.resource(configMap).patch(status());
    }

    private static PatchContext status() {
        return new PatchContext.Builder().withPatchType(PatchType.SERVER_SIDE_APPLY).withFieldManager("test").withForce(true)
                .build();
    }

    private static ConfigMap configMap(Map<String, String> data, List<String> finalizers) {
        return new ConfigMapBuilder().withNewMetadata().withName("cm").withNamespace("default").withFinalizers(finalizers)
                .endMetadata().withData(new HashMap<>(data)).build();
    }
}
