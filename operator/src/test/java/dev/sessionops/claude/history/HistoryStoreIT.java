package dev.sessionops.claude.history;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.sessionops.claude.api.v1alpha1.MessagePhase;
import dev.sessionops.claude.api.v1alpha1.Usage;
import dev.sessionops.claude.history.HistoryStore.Recording;
import dev.sessionops.claude.local.RedisServer;
import dev.sessionops.claude.testing.StandaloneRedis;

/** The history's Redis scripts on a real redis-server: what the reconcilers rely on for exactly-once and identity. */
class HistoryStoreIT {
    private static RedisServer server;
    private static StandaloneRedis redis;
    private static HistoryStore history;

    @BeforeAll
    static void start() {
        server = RedisServer.startOnFreePort();
        redis = new StandaloneRedis(server.uri());
        history = redis.history();
    }

    @AfterAll
    static void stop() {
        if (redis != null) {
            redis.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private static Completion completion(String uid) {
        return new Completion(uid, "chat-01", true, "Hello", "Hi", "claude-1", "2026-01-01T00:00:00Z",
                "2026-01-01T00:00:05Z", 0.25, 10, 5, 0, 0, "turn-1");
    }

    private static Outcome outcome() {
        return new Outcome(MessagePhase.Succeeded, "Succeeded", "claude finished in 1 turn(s)", "Hi", null, "claude-1", 1,
                0.25, 5000L, new Usage(10, 5, 0, 0), List.of(), "2026-01-01T00:00:00Z", "2026-01-01T00:00:05Z");
    }

    @Test
    void aRunIsRecordedOnceWithTheOutcomeItsStatusIsRebuiltFrom() {
        ConversationKey key = ConversationKey.session("ns", "once", "s-1");

        assertEquals(Recorded.NO, history.recorded(key, "m-1"));
        assertEquals(Recording.RECORDED, history.record(key, completion("m-1"), outcome()));
        assertEquals(Recording.REPLAYED, history.record(key, completion("m-1"), outcome()));

        Recorded recorded = history.recorded(key, "m-1");
        assertTrue(recorded.recorded());
        assertEquals(outcome(), recorded.outcome());
        assertEquals(2, history.length(key));
        assertEquals(1, history.summary(key).messageCount());
        // what starting a message reads, in one round trip: never its own run again, else where the turn continues
        assertTrue(history.nextTurn(key, "m-1").recorded());
        assertEquals(new HistoryStore.NextTurn(false, new ResumePoint("claude-1", "turn-1")), history.nextTurn(key, "m-2"));
    }

    @Test
    void aDeletedConversationRecordsNothingLateAndASessionOfTheSameNameStartsEmpty() {
        ConversationKey old = ConversationKey.session("ns", "again", "s-old");
        history.record(old, completion("m-1"), outcome());

        history.delete(old);
        assertEquals(Recording.CONVERSATION_DELETED, history.record(old, completion("m-2"), outcome()),
                "a Job of the deleted session finishing late");
        assertEquals(0, history.length(old));
        assertEquals(0L, redis.dataSource().execute("EXISTS", old.history(), old.meta(), old.applied(), old.index(),
                old.outcomes(), old.chain()).toLong(), "nothing recreated");

        ConversationKey recreated = ConversationKey.session("ns", "again", "s-new");
        assertEquals(0, history.length(recreated));
        assertTrue(history.nextTurn(recreated, "m-9").resume() == null, "no Claude session to resume");
        assertEquals(Recording.RECORDED, history.record(recreated, completion("m-3"), outcome()));
    }

    @Test
    void keysFromBeforeUidsAreTakenOverByTheConversationOnce() {
        String legacy = "cso:{ns/upgraded}:";
        redis.dataSource().execute("RPUSH", legacy + "history", "{\"role\":\"user\",\"content\":\"Hello\"}",
                "{\"role\":\"assistant\",\"content\":\"Hi\"}");
        redis.dataSource().execute("HSET", legacy + "meta", "currentSessionId", "claude-0", "messageCount", "1");
        redis.dataSource().execute("SADD", legacy + "applied", "m-0");

        ConversationKey key = ConversationKey.session("ns", "upgraded", "s-9");
        assertEquals("claude-0", history.nextTurn(key, "m-9").resume().sessionId());
        assertEquals(2, history.length(key));
        assertTrue(history.recorded(key, "m-0").recorded());
        assertNull(history.recorded(key, "m-0").outcome(), "recorded before outcomes were kept");
        assertEquals(0L, redis.dataSource().execute("EXISTS", legacy + "history", legacy + "meta", legacy + "applied").toLong());
        assertFalse(history.summary(key).chain().contains("claude-x"));
    }
}
