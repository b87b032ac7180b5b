package dev.sessionops.claude.history;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.sessionops.claude.OperatorConfig;
import dev.sessionops.claude.observability.OperatorMetrics;
import dev.sessionops.claude.redis.LuaScript;
import io.quarkus.redis.datasource.RedisDataSource;
import io.vertx.mutiny.redis.client.Response;

/**
 * The conversation history in Redis (DESIGN §4). Recording a completion is one Lua script, so it is atomic, and it
 * first adds the message UID to the applied set, so a replayed completion writes nothing.
 *
 * <p>A history keeps at most {@code cso.history.max-entries} entries: recording trims the oldest turns in the same
 * script. Positions stay absolute: the meta field {@code trimmed} counts the entries removed from the list's head,
 * so entry {@code i} of the list is entry {@code trimmed + i} of the conversation, the index names absolute
 * positions, and a client's paging offset means the same entry before and after a trim.
 */
@ApplicationScoped
public class HistoryStore {

    // KEYS: applied, history, meta, chain, index, outcomes, deleted. ARGV: uid, succeeded, userJson, assistantJson, sessionId,
    // now, cost, input, output, cacheCreation, cacheRead, turnUuid (where the next turn resumes; empty: at the end),
    // outcomeJson (how the message ended, so its status can be rebuilt from here), maxEntries.
    // Returns {1} (recorded), {0, outcomeJson} or {0} (recorded before: a replay, and how it ended then, unless a version
    // that kept no outcome recorded it), {-1} (the
    // conversation was deleted: nothing written). A replay needs no read before it: this one round trip tells it.
    // The index field (uid -> "start:count", start absolute) is written with the entries, so it always names exactly
    // them; a failed message gets "start:0", so every message recorded since the index exists has a field. Past
    // maxEntries the oldest entries go, whole turns (a prompt and its reply) at a time, counted in meta's "trimmed".
    static final LuaScript RECORD_SCRIPT = new LuaScript("""
            if redis.call('EXISTS', KEYS[7]) == 1 then return {-1} end
            if redis.call('SADD', KEYS[1], ARGV[1]) == 0 then
              local earlier = redis.call('HGET', KEYS[6], ARGV[1])
              if earlier then return {0, earlier} end
              return {0}
            end
            redis.call('HSET', KEYS[6], ARGV[1], ARGV[13])
            local trimmed = tonumber(redis.call('HGET', KEYS[3], 'trimmed') or '0')
            local start = trimmed + redis.call('LLEN', KEYS[2])
            if ARGV[2] == '1' then
              redis.call('RPUSH', KEYS[2], ARGV[3], ARGV[4])
              redis.call('HSET', KEYS[5], ARGV[1], start .. ':2')
              local over = redis.call('LLEN', KEYS[2]) - tonumber(ARGV[14])
              if over > 0 then
                over = over + over % 2
                redis.call('LTRIM', KEYS[2], over, -1)
                redis.call('HINCRBY', KEYS[3], 'trimmed', over)
              end
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
            return {1}
            """);

    // KEYS: the conversation's keys named by UID, then the same by name only (before UIDs), in SUFFIXES order.
    // Renames the old keys to the new ones once, unless the new ones exist already (same slot: one hash tag).
    static final LuaScript ADOPT_SCRIPT = new LuaScript("""
            local n = #KEYS / 2
            for i = 1, n do
              if redis.call('EXISTS', KEYS[i]) == 1 then return 0 end
            end
            local moved = 0
            for i = 1, n do
              if redis.call('EXISTS', KEYS[n + i]) == 1 then
                redis.call('RENAME', KEYS[n + i], KEYS[i])
                moved = moved + 1
              end
            end
            return moved
            """);
    // KEYS: meta, chain. The session's summary in one round trip: meta's fields, then the chain.
    static final LuaScript SUMMARY_SCRIPT = new LuaScript("""
            return {redis.call('HGETALL', KEYS[1]), redis.call('LRANGE', KEYS[2], 0, -1)}
            """);
    static final List<String> SUFFIXES = List.of("history", "meta", "chain", "applied", "index", "outcomes");

    // KEYS: every key of the conversation, then its deleted marker. ARGV: seconds the marker lasts.
    static final LuaScript DELETE_SCRIPT = new LuaScript("""
            for i = 1, #KEYS - 1 do redis.call('DEL', KEYS[i]) end
            redis.call('SET', KEYS[#KEYS], '1', 'EX', ARGV[1])
            return 1
            """);
    /** How long a deleted conversation refuses late records: longer than any run can outlast its session. */
    static final long DELETED_MARKER_SECONDS = 7 * 24 * 3600;

    // KEYS: applied, outcomes. ARGV: uid. {0}: not recorded; {1}: recorded, no outcome kept; {1, outcomeJson}.
    static final LuaScript RECORDED_SCRIPT = new LuaScript("""
            if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 0 then return {0} end
            local outcome = redis.call('HGET', KEYS[2], ARGV[1])
            if outcome then return {1, outcome} end
            return {1}
            """);

    // KEYS: index, applied, history, meta. ARGV: uid, offset, limit.
    // Returns {count, gone, entries of the page} from the message's index field: one HGET and one LRANGE of the page
    // only; gone is how many of the message's own entries were trimmed (the page starts after them). Without a
    // field: {0} when the message is not recorded (yet), {-1} when it was recorded before the index existed (the
    // caller then scans the history for it).
    static final LuaScript MESSAGE_PAGE_SCRIPT = new LuaScript("""
            local at = redis.call('HGET', KEYS[1], ARGV[1])
            if not at then
              if redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 1 then return {-1} end
              return {0}
            end
            local start, count = string.match(at, '^(%d+):(%d+)$')
            start = tonumber(start)
            count = tonumber(count)
            local trimmed = tonumber(redis.call('HGET', KEYS[4], 'trimmed') or '0')
            local gone = math.max(0, math.min(count, trimmed - start))
            local first = math.max(tonumber(ARGV[2]), gone)
            local last = math.min(count, tonumber(ARGV[2]) + tonumber(ARGV[3])) - 1
            if last < first then return {count, gone, {}} end
            return {count, gone, redis.call('LRANGE', KEYS[3], start - trimmed + first, start - trimmed + last)}
            """);

    // KEYS: history, meta. ARGV: offset (absolute), count (-1: to the end).
    // Returns {trimmed, total, entries}: the entries kept at positions offset to offset + count - 1 (those before
    // trimmed are gone), how many the oldest kept one has before it, how many were ever recorded. One round trip, so
    // the page and its figures agree.
    static final LuaScript HISTORY_PAGE_SCRIPT = new LuaScript("""
            local trimmed = tonumber(redis.call('HGET', KEYS[2], 'trimmed') or '0')
            local total = trimmed + redis.call('LLEN', KEYS[1])
            local first = math.max(tonumber(ARGV[1]), trimmed)
            local last = total - 1
            if tonumber(ARGV[2]) >= 0 then last = math.min(last, tonumber(ARGV[1]) + tonumber(ARGV[2]) - 1) end
            if last < first then return {trimmed, total, {}} end
            return {trimmed, total, redis.call('LRANGE', KEYS[1], first - trimmed, last - trimmed)}
            """);

    // The operations, as the error metric names them.
    static final String RECORD = "record";
    static final String CURRENT_SESSION_ID = "current_session_id";
    static final String SUMMARY = "summary";
    static final String HISTORY = "history";
    static final String DELETE = "delete";
    static final List<String> OPERATIONS = List.of(RECORD, CURRENT_SESSION_ID, SUMMARY, HISTORY, DELETE);

    /**
     * How a record went.
     *
     * @param earlier on a replay, how the run ended when it was recorded (null: by a version that kept no outcome):
     *                the history's word, which the status then takes
     */
    public record Recording(Kind kind, Outcome earlier) {
        public enum Kind {
            /** Written now. */
            RECORDED,
            /** Written before (a replay): nothing written now. */
            REPLAYED,
            /** Its conversation was deleted (the session or message is gone): nothing written. */
            CONVERSATION_DELETED
        }

        public static final Recording RECORDED = new Recording(Kind.RECORDED, null);
        public static final Recording CONVERSATION_DELETED = new Recording(Kind.CONVERSATION_DELETED, null);

        public static Recording replayed(Outcome earlier) {
            return new Recording(Kind.REPLAYED, earlier);
        }
    }

    private final RedisDataSource redis;
    private final ObjectMapper json;
    private final OperatorMetrics metrics;
    private final int maxEntries;
    /** Conversations whose keys from before UIDs were looked for already (once per conversation and process). */
    private final java.util.Set<ConversationKey> adopted = java.util.concurrent.ConcurrentHashMap.newKeySet();

    @Inject
    public HistoryStore(RedisDataSource redis, ObjectMapper json, OperatorMetrics metrics, OperatorConfig config) {
        this(redis, json, metrics, config.history().maxEntries());
    }

    /** @param maxEntries the most entries a conversation keeps (cso.history.max-entries): at least one turn, 2 */
    public HistoryStore(RedisDataSource redis, ObjectMapper json, OperatorMetrics metrics, int maxEntries) {
        if (maxEntries < 2) {
            throw new IllegalArgumentException("cso.history.max-entries must be at least 2 (one prompt and its reply), got "
                    + maxEntries);
        }
        this.redis = redis;
        this.json = json;
        this.metrics = metrics;
        this.maxEntries = maxEntries;
        metrics.historyStoreOperations(OPERATIONS);
    }

    /**
     * Records a finished message exactly once: a successful one appends the user prompt and the assistant reply and
     * moves the conversation to its session id; a failed one only counts its cost. One round trip: a replay (recorded
     * before) writes nothing and answers with the outcome recorded then.
     *
     * @return whether this call wrote it
     */
    public Recording record(ConversationKey key, Completion c, Outcome outcome) {
        adopt(key, RECORD);
        String user = toJson(new HistoryEntry(HistoryEntry.USER, c.prompt(), c.startedAt(), c.sessionId(), c.messageName()));
        String assistant = toJson(new HistoryEntry(HistoryEntry.ASSISTANT, c.reply(), c.completedAt(), c.sessionId(), c.messageName()));
        Response r = call(RECORD, RECORD_SCRIPT, "7", key.applied(), key.history(), key.meta(), key.chain(),
                key.index(), key.outcomes(), key.deleted(),
                c.messageUid(), c.succeeded() ? "1" : "0", user, assistant, nullToEmpty(c.sessionId()), c.completedAt(),
                Double.toString(c.costUsd()), Long.toString(c.inputTokens()), Long.toString(c.outputTokens()),
                Long.toString(c.cacheCreationInputTokens()), Long.toString(c.cacheReadInputTokens()),
                nullToEmpty(c.turnUuid()), toJson(outcome), Integer.toString(maxEntries));
        int result = r.get(0).toInteger();
        if (result == 1) {
            return Recording.RECORDED;
        }
        if (result == -1) {
            return Recording.CONVERSATION_DELETED;
        }
        return Recording.replayed(r.size() < 2 ? null : outcome(key, r.get(1)));
    }

    /**
     * Renames the conversation's keys from before they carried the UID (named by namespace and name only) to the
     * UID-named ones, the first time this process touches the conversation. The old keys can only be this object's:
     * its predecessor of the same name had them deleted by its finalizer before this one could be created.
     */
    private void adopt(ConversationKey key, String operation) {
        if (adopted.contains(key)) {
            return;
        }
        List<String> keys = new ArrayList<>();
        SUFFIXES.forEach(suffix -> keys.add(key.prefix() + suffix));
        SUFFIXES.forEach(suffix -> keys.add(key.legacyPrefix() + suffix));
        List<String> args = new ArrayList<>(List.of(Integer.toString(keys.size())));
        args.addAll(keys);
        call(operation, ADOPT_SCRIPT, args.toArray(String[]::new)); // failing, it is the caller's operation that did
        adopted.add(key);
    }

    /** Whether the message's run is in the history already (its UID is in the applied set), and how it ended. */
    public Recorded recorded(ConversationKey key, String messageUid) {
        adopt(key, RECORD);
        Response r = call(RECORD, RECORDED_SCRIPT, "2", key.applied(), key.outcomes(), messageUid);
        if (r == null || r.get(0).toInteger() == 0) {
            return Recorded.NO;
        }
        return new Recorded(true, r.size() < 2 ? null : outcome(key, r.get(1)));
    }

    private Outcome outcome(ConversationKey key, Response stored) {
        try {
            return json.readValue(stored.toString(), Outcome.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unreadable outcome in " + key.outcomes(), e);
        }
    }

    /** The Claude session id the next message resumes, if the conversation has one. */
    public Optional<String> currentSessionId(ConversationKey key) {
        adopt(key, CURRENT_SESSION_ID);
        Response r = call(CURRENT_SESSION_ID, "HGET", key.meta(), "currentSessionId");
        return r == null || r.toString().isEmpty() ? Optional.empty() : Optional.of(r.toString());
    }

    /**
     * What starting {@code messageUid} in the conversation needs, in one round trip: whether its run is recorded
     * already (then it must not run again), else where the turn continues (null: a new Claude session).
     */
    public record NextTurn(boolean recorded, ResumePoint resume) {
    }

    // KEYS: applied, meta. ARGV: uid. {1}: recorded; {0, currentSessionId, resumeAt} (false for a missing field).
    static final LuaScript NEXT_TURN_SCRIPT = new LuaScript("""
            if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 1 then return {1} end
            local at = redis.call('HMGET', KEYS[2], 'currentSessionId', 'resumeAt')
            return {0, at[1], at[2]}
            """);

    public NextTurn nextTurn(ConversationKey key, String messageUid) {
        adopt(key, CURRENT_SESSION_ID);
        Response r = call(CURRENT_SESSION_ID, NEXT_TURN_SCRIPT, "2", key.applied(), key.meta(), messageUid);
        if (r != null && r.get(0).toInteger() == 1) {
            return new NextTurn(true, null);
        }
        String sessionId = r == null || r.size() < 2 || r.get(1) == null ? null : r.get(1).toString();
        if (sessionId == null || sessionId.isEmpty()) {
            return new NextTurn(false, null);
        }
        String at = r.size() < 3 || r.get(2) == null || r.get(2).toString().isEmpty() ? null : r.get(2).toString();
        return new NextTurn(false, new ResumePoint(sessionId, at));
    }

    /**
     * The next turn starts a new Claude session (spec.resetConversation): the resume point goes; the history, the
     * totals and the chain stay, and the new session's id joins the chain when its first turn is recorded.
     */
    public void startNewChain(ConversationKey key) {
        adopt(key, RECORD);
        call(RECORD, "HDEL", key.meta(), "currentSessionId", "resumeAt");
    }

    public ConversationSummary summary(ConversationKey key) {
        adopt(key, SUMMARY);
        Response r = call(SUMMARY, SUMMARY_SCRIPT, "2", key.meta(), key.chain());
        // a script's HGETALL comes back as a flat list of field, value (RESP2 from Lua), whatever the protocol
        Map<String, String> meta = new java.util.HashMap<>();
        Response fields = r.get(0);
        for (int i = 0; i + 1 < fields.size(); i += 2) {
            meta.put(fields.get(i).toString(), fields.get(i + 1).toString());
        }
        List<String> chain = new ArrayList<>();
        r.get(1).forEach(item -> chain.add(item.toString()));
        return new ConversationSummary(meta.get("created"), meta.get("lastActive"), parseLong(meta.get("messageCount")),
                meta.get("currentSessionId"), chain, parseDouble(meta.get("totalCostUsd")),
                parseLong(meta.get("inputTokens")), parseLong(meta.get("outputTokens")),
                parseLong(meta.get("cacheCreationInputTokens")), parseLong(meta.get("cacheReadInputTokens")));
    }

    /**
     * A page of a history: the entries kept from position {@code max(offset, firstIndex)} on, oldest first.
     *
     * @param firstIndex the position of the oldest entry kept: as many older ones were trimmed
     * @param total      how many entries were ever recorded (positions never shift when old ones are trimmed)
     */
    public record Page(List<HistoryEntry> entries, long firstIndex, long total) {
    }

    /** The entries at absolute positions {@code offset} to {@code offset + count - 1} still kept; {@code count} < 0: to the end. */
    public Page page(ConversationKey key, long offset, long count) {
        adopt(key, HISTORY);
        Response r = call(HISTORY, HISTORY_PAGE_SCRIPT, "2", key.history(), key.meta(), Long.toString(offset),
                Long.toString(count));
        return new Page(entries(key, r.get(2)), r.get(0).toLong(), r.get(1).toLong());
    }

    /** The history kept, oldest first, from absolute position {@code offset}; {@code count} < 0 means to the end. */
    public List<HistoryEntry> history(ConversationKey key, long offset, long count) {
        return page(key, offset, count).entries();
    }

    /**
     * A page of one message's own entries, how many it has in all, and how many of its oldest were trimmed
     * ({@code firstIndex}: the page starts after them).
     */
    public record MessagePage(List<HistoryEntry> entries, long total, long firstIndex) {
    }

    /**
     * A page of the entries one message of a session added to the session's history (none until it is recorded):
     * read through the index the recording keeps ({@link ConversationKey#index()}), so only the page is read, however
     * long the session. A message recorded before the index existed has no field there: only then is the whole
     * history scanned for its entries (by name, as before).
     */
    public MessagePage messageHistory(ConversationKey key, String messageUid, String messageName, long offset, int limit) {
        adopt(key, HISTORY);
        Response r = call(HISTORY, MESSAGE_PAGE_SCRIPT, "4", key.index(), key.applied(), key.history(), key.meta(),
                messageUid, Long.toString(offset), Integer.toString(limit));
        long total = r.get(0).toLong();
        if (total >= 0) {
            return r.size() > 1 ? new MessagePage(entries(key, r.get(2)), total, r.get(1).toLong())
                    : new MessagePage(List.of(), total, 0);
        }
        List<HistoryEntry> own = history(key, 0, -1).stream().filter(e -> messageName.equals(e.message())).toList();
        return new MessagePage(own.stream().skip(offset).limit(limit).toList(), own.size(), 0);
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

    /**
     * How many entries the history ever held (two per recorded message: the prompt and the reply), trimmed ones
     * included: the position the next entry gets.
     */
    public long length(ConversationKey key) {
        return page(key, 0, 0).total();
    }

    /**
     * Removes every key of the conversation (the finalizer of its session or one-shot message) and marks it deleted,
     * so a run of it that finishes later records nothing.
     */
    public void delete(ConversationKey key) {
        adopt(key, DELETE);
        call(DELETE, DELETE_SCRIPT, "7", key.history(), key.meta(), key.chain(), key.applied(), key.index(),
                key.outcomes(), key.deleted(), Long.toString(DELETED_MARKER_SECONDS));
        adopted.remove(key);
    }

    /** One Redis command; {@code operation} (one of {@link #OPERATIONS}) names it in the error metric. */
    private Response call(String operation, String command, String... args) {
        return call(operation, command, () -> redis.execute(command, args));
    }

    /** One script ({@link LuaScript}: EVALSHA), with its number of keys, its keys and its arguments. */
    private Response call(String operation, LuaScript script, String... keysCountKeysAndArgs) {
        return call(operation, "EVALSHA", () -> script.execute(redis, keysCountKeysAndArgs));
    }

    private Response call(String operation, String command, Supplier<Response> send) {
        try {
            return send.get();
        } catch (RuntimeException e) {
            metrics.historyStoreError(operation);
            throw new HistoryStoreUnavailableException("Redis " + command + " failed: " + e.getMessage(), e);
        }
    }

    private String toJson(Object value) {
        try {
            return json.writeValueAsString(value);
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
