package dev.sessionops.claude.gateway;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import dev.sessionops.claude.api.v1alpha1.GatewayUsage;
import dev.sessionops.claude.redis.LuaScript;
import io.quarkus.redis.datasource.RedisDataSource;
import io.vertx.mutiny.redis.client.Response;

/**
 * The gateway's record in Redis, one small script per response: per message a hash of its tokens, requests and
 * estimated cost ({@code cso:gateway:{<ns>}:usage:<uid>}, kept {@link #USAGE_TTL}: the operator copies it into the
 * message's status when the message ends), and per namespace what it spent in the current budget window
 * ({@code cso:gateway:{<ns>}:spend:<window start>}, kept two windows). One hash tag per namespace: a Redis Cluster
 * keeps both keys in one slot. A refused request marks the message ({@code refused}: why), so its failure can say so.
 */
public final class UsageLedger implements UsageRecorder {
    static final Duration USAGE_TTL = Duration.ofDays(7);
    /** A refusal the operator turns into the message's reason. */
    public static final String BUDGET = "budget";

    // KEYS: usage, spend. ARGV: input, output, cache creation, cache read, cost, usage ttl, spend ttl
    static final LuaScript RECORD = new LuaScript("""
            redis.call('HINCRBY', KEYS[1], 'requests', 1)
            redis.call('HINCRBY', KEYS[1], 'inputTokens', ARGV[1])
            redis.call('HINCRBY', KEYS[1], 'outputTokens', ARGV[2])
            redis.call('HINCRBY', KEYS[1], 'cacheCreationInputTokens', ARGV[3])
            redis.call('HINCRBY', KEYS[1], 'cacheReadInputTokens', ARGV[4])
            redis.call('HINCRBYFLOAT', KEYS[1], 'costUsd', ARGV[5])
            redis.call('EXPIRE', KEYS[1], ARGV[6])
            redis.call('INCRBYFLOAT', KEYS[2], ARGV[5])
            redis.call('EXPIRE', KEYS[2], ARGV[7])
            return 1
            """);

    private final RedisDataSource redis;
    private final Duration window;
    private final java.time.Clock clock;

    public UsageLedger(RedisDataSource redis, Duration window, java.time.Clock clock) {
        this.redis = redis;
        this.window = window;
        this.clock = clock;
    }

    /** What one message's run used, as recorded; with {@code refused} when the gateway turned a request of it away. */
    public record MessageRecord(GatewayUsage usage, String refused) {
    }

    @Override
    public void record(TokenClaims claims, ResponseUsage usage) {
        ResponseUsage u = usage.orZero();
        RECORD.execute(redis, "2", usageKey(claims.namespace(), claims.messageUid()),
                spendKey(claims.namespace(), clock.instant()), Long.toString(u.inputTokens()), Long.toString(u.outputTokens()),
                Long.toString(u.cacheCreationInputTokens()), Long.toString(u.cacheReadInputTokens()),
                Double.toString(ModelPrices.costUsd(u)), Long.toString(USAGE_TTL.toSeconds()),
                Long.toString(Math.max(1, window.toSeconds() * 2)));
    }

    /** Marks the message as refused for {@code why}. */
    void refused(TokenClaims claims, String why) {
        String key = usageKey(claims.namespace(), claims.messageUid());
        redis.execute("HSET", key, "refused", why);
        redis.execute("EXPIRE", key, Long.toString(USAGE_TTL.toSeconds()));
    }

    /** What {@code namespace} spent in the window {@code at} falls in. */
    double spent(String namespace, Instant at) {
        Response r = redis.execute("GET", spendKey(namespace, at));
        return r == null ? 0 : Double.parseDouble(r.toString());
    }

    /** The message's record; empty when the gateway never saw a response of it. */
    public Optional<MessageRecord> of(String namespace, String uid) {
        Response r = redis.execute("HGETALL", usageKey(namespace, uid));
        Map<String, String> fields = new HashMap<>();
        if (r != null) {
            for (String k : r.getKeys()) { // as HistoryStore reads its meta hash: RESP2 and RESP3 alike
                fields.put(k, r.get(k).toString());
            }
        }
        if (fields.isEmpty()) {
            return Optional.empty();
        }
        GatewayUsage usage = null;
        if (fields.containsKey("requests")) {
            usage = new GatewayUsage();
            usage.setRequests(Long.parseLong(fields.get("requests")));
            usage.setInputTokens(Long.parseLong(fields.getOrDefault("inputTokens", "0")));
            usage.setOutputTokens(Long.parseLong(fields.getOrDefault("outputTokens", "0")));
            usage.setCacheCreationInputTokens(Long.parseLong(fields.getOrDefault("cacheCreationInputTokens", "0")));
            usage.setCacheReadInputTokens(Long.parseLong(fields.getOrDefault("cacheReadInputTokens", "0")));
            usage.setCostUsd(Double.parseDouble(fields.getOrDefault("costUsd", "0")));
        }
        return Optional.of(new MessageRecord(usage, fields.get("refused")));
    }

    /** When the budget window holding {@code at} ends. */
    Instant windowEnd(Instant at) {
        return Instant.ofEpochSecond(windowStart(at) + window.toSeconds());
    }

    static String usageKey(String namespace, String uid) {
        return "cso:gateway:{" + namespace + "}:usage:" + uid;
    }

    String spendKey(String namespace, Instant at) {
        return "cso:gateway:{" + namespace + "}:spend:" + windowStart(at);
    }

    private long windowStart(Instant at) {
        long seconds = Math.max(1, window.toSeconds());
        return at.getEpochSecond() / seconds * seconds;
    }
}
