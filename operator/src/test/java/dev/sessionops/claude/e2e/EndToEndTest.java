package dev.sessionops.claude.e2e;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;

import dev.sessionops.claude.history.HistoryStore;
import dev.sessionops.claude.testing.FakeAnthropicApiResource;
import dev.sessionops.claude.local.LocalKubelet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;

/**
 * The base of the end-to-end tests (each a {@code @QuarkusTest}; all share one operator start and the global mock API
 * server of {@code GlobalTestResources}): the mock API server, the operator under test, and the local kubelet that
 * runs the Jobs' containers for real.
 */
public abstract class EndToEndTest {
    @KubernetesTestServer
    protected KubernetesServer server;
    @Inject
    protected KubernetesClient client;
    @Inject
    protected HistoryStore history;
    @Inject
    protected RedisDataSource redis;
    protected LocalKubelet kubelet;

    @BeforeEach
    protected void startKubelet() {
        kubelet = Harness.kubelet(server, client);
    }

    /** This tier for the {@link Scenarios} shared with the real API server. */
    protected Tier tier() {
        return new Tier("mock", client, kubelet, history, FakeAnthropicApiResource.api());
    }
}
