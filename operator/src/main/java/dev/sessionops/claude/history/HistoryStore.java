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

    // KEYS: applied, history, meta, chain, index. ARGV: uid, succeeded, userJson, assistantJson, sessionId, now,
    // cost, input, output, cacheCreation, cacheRead, turnUuid (where the next turn resumes; empty: at the end).
    // The index field (uid -> "start:count") is written with the entries, so it always names exactly them; a failed
    // message gets "start:0", so every message recorded since the index exists has a field.
    static final String RECORD_SCRIPT = """
            if redis.call('SADD', KEYS[1], ARGV[1]) == 0 then return 0 end
            local start = redis.call('LLEN', KEYS[2])
            if ARGV[2] == '1' then
              redis.call('RPUSH', KEYS[2], ARGV[3], ARGV[4])
              redis.call('HSET', KEYS[5], ARGV[1], start .. ':2')
              redis.call('HINCRBY', KEYS[3], 'messageCount', 1)
              redis.call('HSET', KEYS[3], 'currentSessionId', ARGV[5])
              if ARGV[12] ~= '' then redis.call('HSET', KEYS[3], 'resumeAt', ARGV[12])
              else redis.call('HDEL', KEYS[3], 'resumeAt') end
              if redis.call('LINDEX', KEYS[4], -1) ~= ARGV[5] then redis.call('RPUSH', KEYS[4], ARGV[5]) end
            else
              redis.call('HSET', KEYS[5], ARGV[1], start .. ':0')
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

    // KEYS: index, applied, history. ARGV: uid, offset, limit.
    // Returns {count, entries of the page} from the message's index field: one HGET and one LRANGE of the page only.
    // Without a field: {0} when the message is not recorded (yet), {-1} when it was recorded before the index
    // existed (the caller then scans the history for it).
    static final String MESSAGE_PAGE_SCRIPT = """
            local at = redis.call('HGET', KEYS[1], ARGV[1])
            if not at then
              if redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 1 then return {-1} end
              return {0}
            end
            local start, count = string.match(at, '^(%d+):(%d+)$')
            start = tonumber(start)
            count = tonumber(count)
            local offset = tonumber(ARGV[2])
            if offset >= count then return {count, {}} end
            local last = math.min(count, offset + tonumber(ARGV[3])) - 1
            return {count, redis.call('LRANGE', KEYS[3], start + offset, start + last)}
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
        Response r = call(RECORD, "EVAL", RECORD_SCRIPT, "5", key.applied(), key.history(), key.meta(), key.chain(), key.index(),
                c.messageUid(), c.succeeded() ? "1" : "0", user, assistant, nullToEmpty(c.sessionId()), c.completedAt(),
                Double.toString(c.costUsd()), Long.toString(c.inputTokens()), Long.toString(c.outputTokens()),
                Long.toString(c.cacheCreationInputTokens()), Long.toString(c.cacheReadInputTokens()),
                nullToEmpty(c.turnUuid()));
        return r != null && r.toInteger() == 1;
    }

    /** Whether the message's completion is in the history already (its UID is in the applied set). */
    public boolean isRecorded(ConversationKey key, String messageUid) {
        Response r = call(RECORD, "SISMEMBER", key.applied(), messageUid);
        return r != null && r.toInteger() == 1;
    }

    /** The Claude session id the next message resumes, if the conversation has one. */
    public Optional<String> currentSessionId(ConversationKey key) {
        Response r = call(CURRENT_SESSION_ID, "HGET", key.meta(), "currentSessionId");
        return r == null || r.toString().isEmpty() ? Optional.empty() : Optional.of(r.toString());
    }

    /** Where the next turn continues, if the conversation has a Claude session (one read). */
    public Optional<ResumePoint> resumePoint(ConversationKey key) {
        Response r = call(CURRENT_SESSION_ID, "HMGET", key.meta(), "currentSessionId", "resumeAt");
        String sessionId = r == null || r.get(0) == null ? null : r.get(0).toString();
        if (sessionId == null || sessionId.isEmpty()) {
            return Optional.empty();
        }
        String at = r.get(1) == null || r.get(1).toString().isEmpty() ? null : r.get(1).toString();
        return Optional.of(new ResumePoint(sessionId, at));
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
        return entries(key, call(HISTORY, "LRANGE", key.history(), Long.toString(offset), Long.toString(stop)));
    }

    /** A page of one message's own entries, and how many it has in all. */
    public record MessagePage(List<HistoryEntry> entries, long total) {
    }

    /**
     * A page of the entries one message of a session added to the session's history (none until it is recorded):
     * read through the index the recording keeps ({@link ConversationKey#index()}), so only the page is read, however
     * long the session. A message recorded before the index existed has no field there: only then is the whole
     * history scanned for its entries (by name, as before).
     */
    public MessagePage messageHistory(ConversationKey key, String messageUid, String messageName, long offset, int limit) {
        Response r = call(HISTORY, "EVAL", MESSAGE_PAGE_SCRIPT, "3", key.index(), key.applied(), key.history(), messageUid,
                Long.toString(offset), Integer.toString(limit));
        long total = r.get(0).toLong();
        if (total >= 0) {
            return new MessagePage(r.size() > 1 ? entries(key, r.get(1)) : List.of(), total);
        }
        List<HistoryEntry> own = history(key, 0, -1).stream().filter(e -> messageName.equals(e.message())).toList();
        return new MessagePage(own.stream().skip(offset).limit(limit).toList(), own.size());
    }

    private List<HistoryEntry> entries(ConversationKey key, Response list) {
        List<HistoryEntry> entries = new ArrayList<>();
        if (list != null) {
            for (Response item : list) {
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
        call(DELETE, "DEL", key.history(), key.meta(), key.chain(), key.applied(), key.index());
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
