package dev.sessionops.claude.testing;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.kubernetes.client.KubernetesServerTestResource;

/** Test resources every {@code @QuarkusTest} gets, whatever its own annotations: a real Redis, the fake Anthropic API and the Fabric8 mock API server. */
@QuarkusTestResource(value = RedisTestResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = FakeAnthropicApiResource.class, restrictToAnnotatedClass = false)
// One mock API server (CRUD mode) for all test classes: a per-class resource would restart the application per class.
@QuarkusTestResource(value = KubernetesServerTestResource.class, restrictToAnnotatedClass = false)
public final class GlobalTestResources {
    private GlobalTestResources() {
    }
}
