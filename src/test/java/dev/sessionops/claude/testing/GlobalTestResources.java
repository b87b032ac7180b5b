package dev.sessionops.claude.testing;

import io.quarkus.test.common.QuarkusTestResource;

/** Test resources every {@code @QuarkusTest} gets, whatever its own annotations: a real Redis. */
@QuarkusTestResource(value = RedisTestResource.class, restrictToAnnotatedClass = false)
public final class GlobalTestResources {
    private GlobalTestResources() {
    }
}
