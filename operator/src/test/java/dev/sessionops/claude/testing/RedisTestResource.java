package dev.sessionops.claude.testing;

import dev.sessionops.claude.local.RedisServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.Map;

/**
 * Starts a {@link RedisServer} for the Quarkus application under test and points {@code quarkus.redis.hosts} at it.
 * Registered for every {@code @QuarkusTest} by {@link GlobalTestResources}. Tests reach the instance through
 * {@link #redis()}, e.g. to stop it (an outage) and start it again on the same port.
 */
public class RedisTestResource implements QuarkusTestResourceLifecycleManager {
    private static volatile RedisServer current;

    /** The running server of the current Quarkus test application. */
    public static RedisServer redis() {
        RedisServer server = current;
        if (server == null) {
            throw new IllegalStateException("RedisTestResource is not started (is this a @QuarkusTest?)");
        }
        return server;
    }

    @Override
    public Map<String, String> start() {
        current = RedisServer.startOnFreePort();
        return Map.of("quarkus.redis.hosts", current.uri());
    }

    @Override
    public void stop() {
        RedisServer server = current;
        current = null;
        if (server != null) {
            server.close();
        }
    }
}
