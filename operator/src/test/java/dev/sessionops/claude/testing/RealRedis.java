package dev.sessionops.claude.testing;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import dev.sessionops.claude.local.RedisServer;
import io.quarkus.redis.datasource.RedisDataSource;

/**
 * A real redis-server for one test class and a client of it: started before the class's tests, stopped after them,
 * also when they fail. {@code @RegisterExtension static final RealRedis REDIS = new RealRedis();}
 */
public final class RealRedis implements BeforeAllCallback, AfterAllCallback {
    private RedisServer server;
    private StandaloneRedis client;

    @Override
    public void beforeAll(ExtensionContext context) {
        server = RedisServer.startOnFreePort();
        client = new StandaloneRedis(server.uri());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
    }

    public String uri() {
        return server.uri();
    }

    /** The operator's own stores over it ({@link StandaloneRedis#history()}, its data source). */
    public StandaloneRedis client() {
        return client;
    }

    public RedisDataSource dataSource() {
        return client.dataSource();
    }
}
