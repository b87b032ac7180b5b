package dev.sessionops.claude.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionException;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.sessionops.claude.OperatorConfig;
import dev.sessionops.claude.api.v1alpha1.GatewayUsage;
import dev.sessionops.claude.api.v1alpha1.MessagePhase;
import dev.sessionops.claude.api.v1alpha1.Usage;
import dev.sessionops.claude.events.EventStore;
import dev.sessionops.claude.gateway.ResponseUsage;
import dev.sessionops.claude.gateway.TokenClaims;
import dev.sessionops.claude.gateway.UsageLedger;
import dev.sessionops.claude.history.Completion;
import dev.sessionops.claude.history.ConversationKey;
import dev.sessionops.claude.history.HistoryStore;
import dev.sessionops.claude.history.Outcome;
import dev.sessionops.claude.testing.RealRedis;
import io.quarkus.redis.datasource.RedisDataSource;

/**
 * Scripts sent as EVALSHA on a real redis-server, counted by Redis itself ({@code INFO commandstats}): the text goes
 * once after Redis lost its script cache, never otherwise, and an error of the script is the caller's.
 */
class LuaScriptIT {
    @RegisterExtension
    static final RealRedis REDIS = new RealRedis();
    private static RedisDataSource ds;

    @BeforeAll
    static void start() {
        ds = REDIS.dataSource();
    }

    @BeforeEach
    void redisHasLostItsScripts() {
        ds.execute("FLUSHALL");
        ds.execute("SCRIPT", "FLUSH");
        ds.execute("CONFIG", "RESETSTAT");
    }

    /** What Redis counted of one command since the last CONFIG RESETSTAT. */
    record Calls(long calls, long failed) {
    }

    private static Calls calls(String command) {
        for (String line : ds.execute("INFO", "commandstats").toString().split("\r?\n")) {
            if (line.startsWith("cmdstat_" + command + ":")) {
                long calls = 0;
                long failed = 0;
                for (String field : line.substring(line.indexOf(':') + 1).split(",")) {
                    String[] kv = field.split("=");
                    if (kv[0].equals("calls")) {
                        calls = Long.parseLong(kv[1]);
                    } else if (kv[0].equals("failed_calls")) {
                        failed = Long.parseLong(kv[1]);
                    }
                }
                return new Calls(calls, failed);
            }
        }
        return new Calls(0, 0);
    }

    @Test
    void theFirstCallAfterRedisLostTheScriptIsAnsweredAndEveryLaterOneIsEvalsha() {
        LuaScript incrBy = new LuaScript("return redis.call('INCRBY', KEYS[1], ARGV[1])\n");

        assertEquals(5, incrBy.execute(ds, "1", "lua:counter", "5").toLong());
        assertEquals(new Calls(1, 1), calls("evalsha"), "asked by SHA first: NOSCRIPT");
        assertEquals(new Calls(1, 0), calls("eval"), "then the text, once");

        assertEquals(7, incrBy.execute(ds, "1", "lua:counter", "2").toLong());
        assertEquals(8, incrBy.execute(ds, "1", "lua:counter", "1").toLong());
        assertEquals(new Calls(3, 1), calls("evalsha"));
        assertEquals(new Calls(1, 0), calls("eval"), "Redis has it now: no text again");
    }

    @Test
    void aScriptsRuntimeErrorReachesTheCallerAndIsNotSentAgainAsEval() {
        LuaScript incr = new LuaScript("return redis.call('INCR', KEYS[1])\n");
        ds.execute("RPUSH", "lua:list", "not a number");

        RuntimeException first = assertThrows(RuntimeException.class, () -> incr.execute(ds, "1", "lua:list"));
        assertTrue(first.getMessage().contains("WRONGTYPE"), first.getMessage());
        assertEquals(new Calls(1, 1), calls("evalsha"), "NOSCRIPT");
        assertEquals(new Calls(1, 1), calls("eval"), "the text once, which failed: its error is the answer");

        RuntimeException again = assertThrows(RuntimeException.class, () -> incr.execute(ds, "1", "lua:list"));
        assertTrue(again.getMessage().contains("WRONGTYPE"), again.getMessage());
        assertEquals(new Calls(2, 2), calls("evalsha"), "cached by the failed EVAL: found by its SHA");
        assertEquals(new Calls(1, 1), calls("eval"), "an error that is not NOSCRIPT is not retried");
    }

    @Test
    void aScriptRedisCannotCompileFailsEachCallOnce() {
        LuaScript broken = new LuaScript("return (\n");

        for (int i = 1; i <= 2; i++) {
            RuntimeException e = assertThrows(RuntimeException.class, () -> broken.execute(ds, "0"));
            assertTrue(e.getMessage().contains("ERR"), e.getMessage());
            // never cached, so each call is NOSCRIPT and one EVAL: an error, not a loop
            assertEquals(new Calls(i, i), calls("evalsha"));
            assertEquals(new Calls(i, i), calls("eval"));
        }
    }

    @Test
    void redisNamesAScriptByTheShaComputedHere() {
        LuaScript script = new LuaScript("""
                local n = redis.call('INCR', KEYS[1])
                return {n, ARGV[1]}
                """);

        assertEquals(script.sha(), ds.execute("SCRIPT", "LOAD", script.text()).toString());
    }

    @Test
    void theDataSourceReportsNoscriptAsACompletionExceptionWithRedisMessage() {
        // what LuaScript.isNoScript matches: Vert.x fails with its ErrorType (a Throwable, not an exception) and the
        // blocking data source wraps that in a CompletionException, whose message is the error's
        CompletionException e = assertThrows(CompletionException.class,
                () -> ds.execute("EVALSHA", new LuaScript("return 2").sha(), "0"));

        assertEquals("NOSCRIPT No matching script. Please use EVAL.", e.getMessage());
        assertEquals("io.vertx.redis.client.impl.types.ErrorType", e.getCause().getClass().getName());
        assertEquals("NOSCRIPT No matching script. Please use EVAL.", e.getCause().getMessage());
        assertTrue(LuaScript.isNoScript(e));
    }

    @Test
    void theHistorySendsItsScriptsTextOnlyAfterRedisLostThem() {
        HistoryStore history = REDIS.client().history();
        ConversationKey key = ConversationKey.session("ns", "evalsha", "s-1");
        history.record(key, completion("m-1"), outcome());
        ds.execute("SCRIPT", "FLUSH");
        ds.execute("CONFIG", "RESETSTAT");

        assertEquals(HistoryStore.Recording.RECORDED, history.record(key, completion("m-2"), outcome()));
        assertEquals(4, history.length(key));
        assertEquals(2, calls("eval").calls(), "record and the page, each once after NOSCRIPT");

        assertEquals(HistoryStore.Recording.RECORDED, history.record(key, completion("m-3"), outcome()));
        assertEquals(6, history.length(key));
        assertEquals(2, calls("eval").calls(), "none since");
        assertEquals(new Calls(4, 2), calls("evalsha"));
    }

    /** A replayed recording is the recording's one round trip, which writes nothing and answers how the run ended. */
    @Test
    void aReplayedRecordIsOneRoundTripAnsweringWithTheFirstOutcome() {
        HistoryStore history = REDIS.client().history();
        ConversationKey key = ConversationKey.session("ns", "replay", "s-1");
        assertEquals(HistoryStore.Recording.RECORDED, history.record(key, completion("m-1"), outcome()));
        ds.execute("CONFIG", "RESETSTAT");

        assertEquals(HistoryStore.Recording.replayed(outcome()), history.record(key, completion("m-1"), null));
        assertEquals(new Calls(1, 0), calls("evalsha"), "one EVALSHA, no read before it");
        assertEquals(2, history.length(key), "nothing written twice");
    }

    @Test
    void theEventsAndTheGatewaysLedgerSendTheirScriptsTextOnlyAfterRedisLostThem() {
        EventStore events = new EventStore(ds, eventsConfig());
        assertTrue(events.append("lua:events", 1, "system", "{}"));
        assertFalse(events.append("lua:events", 1, "system", "{}"), "the script still answers: a line appended once");
        assertTrue(events.append("lua:events", 2, "assistant", "{}"));
        assertEquals(new Calls(1, 0), calls("eval"));
        assertEquals(new Calls(3, 1), calls("evalsha"));

        UsageLedger ledger = new UsageLedger(ds, Duration.ofHours(1), Clock.systemUTC());
        TokenClaims claims = new TokenClaims("ns", "m", "uid-1", Instant.now().plusSeconds(60));
        ledger.record(claims, new ResponseUsage("claude", 10, 5, 0, 0));
        ledger.record(claims, new ResponseUsage("claude", 1, 1, 0, 0));
        GatewayUsage usage = ledger.of("ns", "uid-1").orElseThrow().usage();
        assertEquals(2, usage.getRequests());
        assertEquals(11, usage.getInputTokens());
        assertEquals(new Calls(2, 0), calls("eval"), "the ledger's text once");
        assertEquals(new Calls(5, 2), calls("evalsha"));
    }

    /**
     * A finished run's lines its follower missed go in one round trip, only past the last line there, and the stream
     * then expires (a replay of the same finish adds nothing).
     */
    @Test
    void aRunsMissingEventsAndItsEndAreOneRoundTrip() {
        EventStore events = new EventStore(ds, eventsConfig());
        assertTrue(events.append("lua:done", 1, "system", "{\"n\":1}"));
        assertTrue(events.append("lua:done", 2, "assistant", "{\"n\":2}"));
        assertTrue(ds.execute("TTL", "lua:done").toLong() > 3600, "while it runs, the day an unfinished stream gets");
        ds.execute("CONFIG", "RESETSTAT");

        List<EventStore.NewEvent> tail = List.of(new EventStore.NewEvent(2, "assistant", "{\"n\":2}"),
                new EventStore.NewEvent(3, "user", "{\"n\":3}"), new EventStore.NewEvent(5, "result", "{\"n\":5}"));
        assertEquals(2, events.finish("lua:done", tail), "lines 3 and 5; 2 was there");
        assertEquals(new Calls(1, 0), calls("evalsha"), "the script the appends loaded: one EVALSHA");
        assertEquals(new Calls(0, 0), calls("eval"), "the one EVALSHA was all (the commands inside it count too)");
        assertEquals(List.of(1L, 2L, 3L, 5L), events.range("lua:done", null, null, 10).stream().map(e -> e.line()).toList());
        long ttl = ds.execute("TTL", "lua:done").toLong();
        assertTrue(ttl > 0 && ttl <= 3600, "finished: expires after ttl-after-finished, " + ttl);
        assertEquals(0, events.finish("lua:done", tail), "a replay adds nothing");
        assertEquals(0, events.finish("lua:never-followed", List.of()), "no events at all: nothing made");
        assertEquals(0L, ds.execute("EXISTS", "lua:never-followed").toLong());
    }

    /** A finished run's large remainder goes in requests of bounded size, in order, the stream finished once. */
    @Test
    void aLargeRemainderGoesInBoundedRequestsInOrder() {
        EventStore events = new EventStore(ds, eventsConfig());
        events.append("lua:large", 1, "system", "{}");
        String big = "x".repeat(100 << 10);
        List<EventStore.NewEvent> tail = new java.util.ArrayList<>();
        for (int n = 2; n <= 9; n++) {
            tail.add(new EventStore.NewEvent(n, "user", "{\"n\":" + n + ",\"t\":\"" + big + "\"}"));
        }
        ds.execute("CONFIG", "RESETSTAT");
        assertEquals(8, events.finish("lua:large", tail));
        assertEquals(4, calls("evalsha").calls(), "800 Ki characters in requests of at most 256 Ki: two lines each, the last two with the end");
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L),
                events.range("lua:large", null, null, 20).stream().map(e -> e.line()).toList());
        long ttl = ds.execute("TTL", "lua:large").toLong();
        assertTrue(ttl > 0 && ttl <= 3600, "finished: " + ttl);
    }

    /** The operator's configuration as far as EventStore reads it. */
    private static OperatorConfig eventsConfig() {
        OperatorConfig.Events events = new OperatorConfig.Events() {
            @Override
            public long maxLength() {
                return 100;
            }

            @Override
            public Duration ttlAfterFinished() {
                return Duration.ofHours(1);
            }

            @Override
            public int maxFollowers() {
                return 1;
            }
        };
        return (OperatorConfig) Proxy.newProxyInstance(OperatorConfig.class.getClassLoader(),
                new Class<?>[] { OperatorConfig.class }, (proxy, method, args) -> {
                    if (method.getName().equals("events")) {
                        return events;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    private static Completion completion(String uid) {
        return new Completion(uid, "chat-01", true, "Hello", "Hi", "claude-1", "2026-01-01T00:00:00Z",
                "2026-01-01T00:00:05Z", 0.25, 10, 5, 0, 0, "turn-1");
    }

    private static Outcome outcome() {
        return new Outcome(MessagePhase.Succeeded, "Succeeded", "done", "Hi", null, "claude-1", 1, 0.25, 5000L,
                new Usage(10, 5, 0, 0), List.of(), "2026-01-01T00:00:00Z", "2026-01-01T00:00:05Z");
    }
}
