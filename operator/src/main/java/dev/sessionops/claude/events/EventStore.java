package dev.sessionops.claude.events;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import dev.sessionops.claude.OperatorConfig;
import dev.sessionops.claude.redis.LuaScript;
import io.quarkus.redis.datasource.RedisDataSource;
import io.vertx.mutiny.redis.client.Response;

/**
 * The live events of runs: one Redis Stream per message (key from {@code ConversationKey.events}), entries
 * {@code line, type, data}. Redis rather than memory so that a subscriber on any replica sees what the leader's
 * follower appends, and so that a restarted follower knows where it stopped.
 */
@ApplicationScoped
public class EventStore {
    /**
     * A stream whose run never reports its end (the operator gone for good, the message deleted while Redis was down)
     * still goes away: each append gives a stream without an expiry this one.
     */
    static final Duration UNFINISHED_TTL = Duration.ofHours(24);
    /**
     * The most line characters one request carries when a finished run's missing lines go to Redis: a run's usual
     * remainder is one request, a large one (its tail may hold 4 Mi characters) a few, never one buffer of it all.
     */
    static final long MAX_REQUEST_CHARS = 256 << 10;

    // KEYS: stream. ARGV: maxLength, ttlAfterFinished (s), unfinishedTtl (s), finished ('1': the run has ended), then
    // line, type, data for each line in order. Appends only past the last line already there, so a follower re-reading
    // the log (restart, reconnect, a second follower racing it) never writes a line twice. A stream expires
    // ttlAfterFinished after its result line or its run's end, else a day after its first line. One script for a
    // follower's line and for a finished run's missing lines with its end (one round trip, not one per line).
    static final LuaScript APPEND_SCRIPT = new LuaScript("""
            local last = 0
            local newest = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
            if #newest > 0 then
              local fields = newest[1][2]
              for i = 1, #fields, 2 do
                if fields[i] == 'line' then last = tonumber(fields[i + 1]) end
              end
            end
            local added = 0
            local result = false
            for i = 5, #ARGV, 3 do
              if tonumber(ARGV[i]) > last then
                redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'line', ARGV[i], 'type', ARGV[i + 1], 'data', ARGV[i + 2])
                last = tonumber(ARGV[i])
                added = added + 1
                result = result or ARGV[i + 1] == 'result'
              end
            end
            if ARGV[4] == '1' or result then
              redis.call('EXPIRE', KEYS[1], ARGV[2])
            elseif added > 0 and redis.call('TTL', KEYS[1]) == -1 then
              redis.call('EXPIRE', KEYS[1], ARGV[3])
            end
            return added
            """);

    private final RedisDataSource redis;
    private final Duration ttlAfterFinished;
    private volatile long maxLength;

    public EventStore(RedisDataSource redis, OperatorConfig config) {
        this.redis = redis;
        this.ttlAfterFinished = config.events().ttlAfterFinished();
        this.maxLength = config.events().maxLength();
    }

    /**
     * Appends one stream-json line unless a line with this number or a later one is there already.
     *
     * @return true when it was appended
     */
    public boolean append(String key, long line, String type, String data) {
        return write(key, List.of(new NewEvent(line, type, data)), false) > 0;
    }

    /**
     * The run has ended (with or without a result line): appends {@code lines} past the last one there, in one round
     * trip, and lets the events stay for late subscribers, then expire.
     *
     * @return how many lines were appended
     */
    public long finish(String key, List<NewEvent> lines) {
        long added = 0;
        int from = 0;
        long chars = 0;
        for (int i = 0; i < lines.size(); i++) {
            chars += lines.get(i).data().length();
            if (chars > MAX_REQUEST_CHARS && i > from) { // a request of its own for what came before this line
                added += write(key, lines.subList(from, i), false);
                from = i;
                chars = lines.get(i).data().length();
            }
        }
        return added + write(key, lines.subList(from, lines.size()), true);
    }

    private long write(String key, List<NewEvent> lines, boolean finished) {
        List<String> command = new java.util.ArrayList<>(6 + 3 * lines.size());
        command.addAll(List.of("1", key, Long.toString(maxLength), Long.toString(seconds(ttlAfterFinished)),
                Long.toString(seconds(UNFINISHED_TTL)), finished ? "1" : "0"));
        for (NewEvent line : lines) {
            command.addAll(List.of(Long.toString(line.line()), line.type(), line.data()));
        }
        return APPEND_SCRIPT.execute(redis, command.toArray(String[]::new)).toLong();
    }

    /** The newest entry, if the stream has one. */
    public java.util.Optional<EventEntry> last(String key) {
        List<EventEntry> entries = entries(redis.execute("XREVRANGE", key, "+", "-", "COUNT", "1"));
        return entries.stream().findFirst();
    }

    /** Up to {@code count} entries after {@code afterId} (from the start when null), oldest first. */
    public List<EventEntry> after(String key, String afterId, int count) {
        return range(key, afterId, null, count);
    }

    /**
     * Up to {@code count} entries after {@code afterId} (from the start when null) and at most {@code upToId} (to the
     * end when null), oldest first: one XRANGE.
     */
    public List<EventEntry> range(String key, String afterId, String upToId, int count) {
        String start = afterId == null ? "-" : StreamIds.after(afterId);
        String end = upToId == null ? "+" : upToId;
        return entries(redis.execute("XRANGE", key, start, end, "COUNT", Integer.toString(count)));
    }

    public void delete(String key) {
        redis.execute("DEL", key);
    }

    /** Entries kept per stream; tests lower it to see the trimming. */
    public void setMaxLength(long maxLength) {
        this.maxLength = maxLength;
    }

    /** A stream-json line of a run's log to append: its number in the log, its type, the line. */
    public record NewEvent(long line, String type, String data) {
    }

    public long maxLength() {
        return maxLength;
    }

    public Duration ttlAfterFinished() {
        return ttlAfterFinished;
    }

    private static List<EventEntry> entries(Response range) {
        List<EventEntry> entries = new ArrayList<>();
        if (range == null) {
            return entries;
        }
        for (Response entry : range) {
            String id = entry.get(0).toString();
            long line = 0;
            String type = null;
            String data = null;
            Response fields = entry.get(1);
            for (int i = 0; i + 1 < fields.size(); i += 2) {
                String value = fields.get(i + 1).toString();
                switch (fields.get(i).toString()) {
                    case "line" -> line = Long.parseLong(value);
                    case "type" -> type = value;
                    case "data" -> data = value;
                    default -> {
                    }
                }
            }
            entries.add(new EventEntry(id, line, type, data));
        }
        return entries;
    }

    private static long seconds(Duration d) {
        return Math.max(1, d.toSeconds());
    }
}
