package dev.sessionops.claude.e2e;

import dev.sessionops.claude.history.HistoryStore;
import dev.sessionops.claude.testing.FakeAnthropicApi;
import dev.sessionops.claude.local.Kubelet;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * One place the {@link Scenarios} run: the mock API server with the in-JVM operator and the local kubelet playing the
 * Job controller, or a real kube-apiserver and controller-manager with the packaged operator as its own process.
 *
 * @param client a client with full rights on the API server (the tests act as a user and an admin)
 * @param kubelet the kubelet that runs the Jobs' containers with the real claude CLI
 * @param history the operator's history store, on the Redis the operator under test writes to
 * @param api the fake Anthropic API the runs talk to
 */
public record Tier(String name, KubernetesClient client, Kubelet kubelet, HistoryStore history, FakeAnthropicApi api) {
}
