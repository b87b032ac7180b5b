package dev.sessionops.claude.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.sessionops.claude.local.RedisServer;

class RedisTestResourceTest {

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
