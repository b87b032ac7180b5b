package dev.sessionops.claude.benchmark;

import java.util.Map;
import java.util.TreeMap;

import io.quarkus.redis.datasource.RedisDataSource;

/**
 * Redis round trips counted by Redis: the {@code calls} of each command in {@code INFO commandstats}. A script
 * ({@code EVALSHA}) counts once, however many keys it touches, which is the point: one round trip. The benchmark's
 * own {@code INFO} calls are left out; nothing else but the operator talks to this Redis.
 */
final class RedisCommandStats {
    private final RedisDataSource redis;

    RedisCommandStats(RedisDataSource redis) {
        this.redis = redis;
    }

    /** Commands served so far, by command, except {@code INFO}. */
    Map<String, Long> calls() {
        String info = redis.execute("INFO", "commandstats").toString();
        Map<String, Long> calls = new TreeMap<>();
        for (String line : info.split("\r?\n")) {
            // cmdstat_evalsha:calls=12,usec=345,usec_per_call=28.75,rejected_calls=0,failed_calls=0
            if (!line.startsWith("cmdstat_") || line.startsWith("cmdstat_info:")) {
                continue;
            }
            String command = line.substring("cmdstat_".length(), line.indexOf(':'));
            int start = line.indexOf("calls=") + "calls=".length();
            int end = line.indexOf(',', start);
            calls.put(command, Long.parseLong(line.substring(start, end < 0 ? line.length() : end)));
        }
        return calls;
    }

    /** What was served between two readings of {@link #calls()}, by command (those with none left out). */
    static Map<String, Long> since(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Long> delta = new TreeMap<>();
        after.forEach((command, n) -> {
            long d = n - before.getOrDefault(command, 0L);
            if (d > 0) {
                delta.put(command, d);
            }
        });
        return delta;
    }
}
