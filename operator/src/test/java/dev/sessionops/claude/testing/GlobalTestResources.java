package dev.sessionops.claude.testing;

import io.quarkus.test.common.QuarkusTestResource;

/** Test resources every {@code @QuarkusTest} gets, whatever its own annotations: a real Redis, the fake Anthropic API and the Fabric8 mock API server (with the front-proxy trust
 * of a cluster and the operator's serving certificate). */
@QuarkusTestResource(value = RedisTestResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = FakeAnthropicApiResource.class, restrictToAnnotatedClass = false)
// One mock API server (CRUD mode) for all test classes: a per-class resource would restart the application per class.
@QuarkusTestResource(value = MockApiServerResource.class, restrictToAnnotatedClass = false)
public final class GlobalTestResources {
    private GlobalTestResources() {
    }
}
