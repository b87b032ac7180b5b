package dev.sessionops.claude.testing;

import io.quarkus.test.common.QuarkusTestResource;

/** Test resources every {@code @QuarkusTest} gets, whatever its own annotations: a real Redis and the fake Anthropic API. */
@QuarkusTestResource(value = RedisTestResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = FakeAnthropicApiResource.class, restrictToAnnotatedClass = false)
public final class GlobalTestResources {
    private GlobalTestResources() {
    }
}
