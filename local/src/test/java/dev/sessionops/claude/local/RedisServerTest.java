package dev.sessionops.claude.local;

import org.junit.jupiter.api.Test;

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
}
