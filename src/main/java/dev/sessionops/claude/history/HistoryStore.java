package dev.sessionops.claude.history;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.sessionops.claude.observability.OperatorMetrics;
import io.quarkus.redis.datasource.RedisDataSource;
import io.vertx.mutiny.redis.client.Response;

/**
 * The conversation history in Redis (DESIGN §4). Recording a completion is one Lua script, so it is atomic, and it
 * first adds the message UID to the applied set, so a replayed completion writes nothing.
 */
@ApplicationScoped
public class HistoryStore {

    // KEYS: applied, history, meta, chain. ARGV: uid, succeeded, userJson, assistantJson, sessionId, now,
    // cost, input, output, cacheCreation, cacheRead.
    static final String RECORD_SCRIPT = """
            if redis.call('SADD', KEYS[1], ARGV[1]) == 0 then return 0 end
            if ARGV[2] == '1' then
              redis.call('RPUSH', KEYS[2], ARGV[3], ARGV[4])
              redis.call('HINCRBY', KEYS[3], 'messageCount', 1)
              redis.call('HSET', KEYS[3], 'currentSessionId', ARGV[5])
              if redis.call('LINDEX', KEYS[4], -1) ~= ARGV[5] then redis.call('RPUSH', KEYS[4], ARGV[5]) end
            end
            redis.call('HSETNX', KEYS[3], 'created', ARGV[6])
            redis.call('HSET', KEYS[3], 'lastActive', ARGV[6])
            redis.call('HINCRBYFLOAT', KEYS[3], 'totalCostUsd', ARGV[7])
            redis.call('HINCRBY', KEYS[3], 'inputTokens', ARGV[8])
            redis.call('HINCRBY', KEYS[3], 'outputTokens', ARGV[9])
            redis.call('HINCRBY', KEYS[3], 'cacheCreationInputTokens', ARGV[10])
            redis.call('HINCRBY', KEYS[3], 'cacheReadInputTokens', ARGV[11])
            return 1
            """;

    // The operations, as the error metric names them.
    static final String RECORD = "record";
    static final String CURRENT_SESSION_ID = "current_session_id";
    static final String SUMMARY = "summary";
    static final String HISTORY = "history";
    static final String DELETE = "delete";
    static final List<String> OPERATIONS = List.of(RECORD, CURRENT_SESSION_ID, SUMMARY, HISTORY, DELETE);

    private final RedisDataSource redis;
    private final ObjectMapper json;
    private final OperatorMetrics metrics;

    public HistoryStore(RedisDataSource redis, ObjectMapper json, OperatorMetrics metrics) {
        this.redis = redis;
        this.json = json;
        this.metrics = metrics;
        metrics.historyStoreOperations(OPERATIONS);
    }

    /**
     * Records a finished message exactly once: a successful one appends the user prompt and the assistant reply and
     * moves the conversation to its session id; a failed one only counts its cost.
     *
     * @return true when this call wrote it, false when it had been recorded before
     */
    public boolean record(ConversationKey key, Completion c) {
        String user = toJson(new HistoryEntry(HistoryEntry.USER, c.prompt(), c.startedAt(), c.sessionId(), c.messageName()));
        String assistant = toJson(new HistoryEntry(HistoryEntry.ASSISTANT, c.reply(), c.completedAt(), c.sessionId(), c.messageName()));
        Response r = call(RECORD, "EVAL", RECORD_SCRIPT, "4", key.applied(), key.history(), key.meta(), key.chain(),
                c.messageUid(), c.succeeded() ? "1" : "0", user, assistant, nullToEmpty(c.sessionId()), c.completedAt(),
                Double.toString(c.costUsd()), Long.toString(c.inputTokens()), Long.toString(c.outputTokens()),
                Long.toString(c.cacheCreationInputTokens()), Long.toString(c.cacheReadInputTokens()));
        return r != null && r.toInteger() == 1;
    }

    /** The Claude session id the next message resumes, if the conversation has one. */
    public Optional<String> currentSessionId(ConversationKey key) {
        Response r = call(CURRENT_SESSION_ID, "HGET", key.meta(), "currentSessionId");
        return r == null || r.toString().isEmpty() ? Optional.empty() : Optional.of(r.toString());
    }

    public ConversationSummary summary(ConversationKey key) {
        Map<String, String> meta = new java.util.HashMap<>();
        Response h = call(SUMMARY, "HGETALL", key.meta());
        if (h != null) {
            for (String field : h.getKeys()) {
                meta.put(field, h.get(field).toString());
            }
        }
        List<String> chain = new ArrayList<>();
        Response l = call(SUMMARY, "LRANGE", key.chain(), "0", "-1");
        if (l != null) {
            l.forEach(item -> chain.add(item.toString()));
        }
        return new ConversationSummary(meta.get("created"), meta.get("lastActive"), parseLong(meta.get("messageCount")),
                meta.get("currentSessionId"), chain, parseDouble(meta.get("totalCostUsd")),
                parseLong(meta.get("inputTokens")), parseLong(meta.get("outputTokens")),
                parseLong(meta.get("cacheCreationInputTokens")), parseLong(meta.get("cacheReadInputTokens")));
    }

    /** The history, oldest first; {@code count} < 0 means to the end. */
    public List<HistoryEntry> history(ConversationKey key, long offset, long count) {
        long stop = count < 0 ? -1 : offset + count - 1;
        Response l = call(HISTORY, "LRANGE", key.history(), Long.toString(offset), Long.toString(stop));
        List<HistoryEntry> entries = new ArrayList<>();
        if (l != null) {
            for (Response item : l) {
                try {
                    entries.add(json.readValue(item.toString(), HistoryEntry.class));
                } catch (JsonProcessingException e) {
                    throw new IllegalStateException("unreadable history entry in " + key.history(), e);
                }
            }
        }
        return entries;
    }

    /** How many entries the history holds (two per recorded message: the prompt and the reply). */
    public long length(ConversationKey key) {
        Response r = call(HISTORY, "LLEN", key.history());
        return r == null ? 0 : r.toLong();
    }

    /** Removes every key of the conversation (the session's finalizer). */
    public void delete(ConversationKey key) {
        call(DELETE, "DEL", key.history(), key.meta(), key.chain(), key.applied());
    }

    /** One Redis command; {@code operation} (one of {@link #OPERATIONS}) names it in the error metric. */
    private Response call(String operation, String command, String... args) {
        try {
            return redis.execute(command, args);
        } catch (RuntimeException e) {
            metrics.historyStoreError(operation);
            throw new HistoryStoreUnavailableException("Redis " + command + " failed: " + e.getMessage(), e);
        }
    }

    private String toJson(HistoryEntry entry) {
        try {
            return json.writeValueAsString(entry);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }

    private static long parseLong(String s) {
        return s == null ? 0 : Long.parseLong(s);
    }

    private static double parseDouble(String s) {
        return s == null ? 0 : Double.parseDouble(s);
    }
}
