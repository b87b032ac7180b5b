package dev.sessionops.claude.testing;

import java.time.Duration;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.sessionops.claude.history.HistoryStore;
import dev.sessionops.claude.observability.OperatorMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.runtime.datasource.BlockingRedisDataSourceImpl;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.RedisAPI;

/**
 * The operator's own {@link HistoryStore} over a Redis data source made outside Quarkus, for tests whose operator
 * runs in another process (the real-API-server tier): they read the history through the same code that wrote it.
 */
public final class StandaloneRedis implements AutoCloseable {
    private final Vertx vertx = Vertx.vertx();
    private final Redis client;
    private final RedisDataSource dataSource;

    public StandaloneRedis(String uri) {
        client = Redis.createClient(vertx, uri);
        dataSource = new BlockingRedisDataSourceImpl(vertx, client, RedisAPI.api(client), Duration.ofSeconds(5));
    }

    public RedisDataSource dataSource() {
        return dataSource;
    }

    /** A history store keeping 1000 entries a conversation (the operator's default). */
    public HistoryStore history() {
        return history(1000);
    }

    /** @param maxEntries cso.history.max-entries */
    public HistoryStore history(int maxEntries) {
        // metrics of this reader are not the operator's (the operator under test is another process)
        return new HistoryStore(dataSource, new ObjectMapper(), new OperatorMetrics(new SimpleMeterRegistry()), maxEntries);
    }

    @Override
    public void close() {
        client.close();
        vertx.closeAndAwait();
    }
}
