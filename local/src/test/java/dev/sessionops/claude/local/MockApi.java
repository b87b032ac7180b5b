package dev.sessionops.claude.local;

import java.util.HashMap;
import java.util.Map;
import java.util.Queue;

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

/** The embedded API as local mode builds it (no guard), on 127.0.0.1, and a client for namespace default. */
record MockApi(KubernetesMockServer server, KubernetesClient client) implements AutoCloseable {

    static MockApi start(java.util.function.Consumer<KubernetesMockServer> serve) {
        Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), responses,
                new KubernetesMixedDispatcher(responses), false);
        server.init(LocalMode.loopbackV4(), 0);
        serve.accept(server);
        KubernetesClient client = new KubernetesClientBuilder().withConfig(new ConfigBuilder(Config.empty())
                .withMasterUrl("http://127.0.0.1:" + server.getPort()).withRequestRetryBackoffLimit(0)
                .withNamespace("default").build()).build();
        return new MockApi(server, client);
    }

    @Override
    public void close() {
        client.close();
        server.destroy();
    }
}
