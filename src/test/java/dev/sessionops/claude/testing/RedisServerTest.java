package dev.sessionops.claude.testing;

import dev.sessionops.claude.local.RedisServer;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RedisServerTest {

    @Test
    void startsStopsAndRestartsOnTheSamePort() {
        try (RedisServer redis = RedisServer.startOnFreePort()) {
            assertTrue(redis.ping());
            assertTrue(redis.isRunning());
            int port = redis.port();

            redis.stop();
            assertFalse(redis.ping());
            assertFalse(redis.isRunning());

            redis.start();
            assertTrue(redis.ping());
            assertEquals(port, redis.port());
        }
    }

    @Test
    void testResourcePointsQuarkusAtTheServer() {
        RedisTestResource resource = new RedisTestResource();
        Map<String, String> config = resource.start();
        try {
            RedisServer redis = RedisTestResource.redis();
            assertEquals("redis://127.0.0.1:" + redis.port(), config.get("quarkus.redis.hosts"));
            assertTrue(redis.ping());
        } finally {
            resource.stop();
        }
    }
}
