package dev.sessionops.claude.history;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.sessionops.claude.api.v1alpha1.MessagePhase;
import dev.sessionops.claude.api.v1alpha1.Usage;
import dev.sessionops.claude.history.HistoryStore.Recording;
import dev.sessionops.claude.testing.RealRedis;

/** The history's Redis scripts on a real redis-server: what the reconcilers rely on for exactly-once and identity. */
class HistoryStoreIT {
    @RegisterExtension
    static final RealRedis REDIS = new RealRedis();
    private static HistoryStore history;

    @BeforeAll
    static void start() {
        history = REDIS.client().history();
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
        Outcome later = new Outcome(MessagePhase.Failed, "JobFailed", "read again", null, null, null, null, null, null,
                null, null, null, null);
        assertEquals(Recording.replayed(outcome()), history.record(key, completion("m-1"), later),
                "a replay writes nothing and answers with the outcome recorded the first time");

        Recorded recorded = history.recorded(key, "m-1");
        assertTrue(recorded.recorded());
        assertEquals(outcome(), recorded.outcome());
        assertEquals(2, history.length(key));
        assertEquals(1, history.summary(key).messageCount());
        // what starting a message reads, in one round trip: never its own run again, else where the turn continues
        assertTrue(history.nextTurn(key, "m-1").recorded());
        assertEquals(new HistoryStore.NextTurn(false, new ResumePoint("claude-1", "turn-1")), history.nextTurn(key, "m-2"));
    }

    /** A run recorded by a version that kept no outcome: its replay writes nothing and has no outcome to answer with. */
    @Test
    void aReplayOfARunRecordedWithoutAnOutcomeAnswersWithNone() {
        ConversationKey key = ConversationKey.session("ns", "older", "s-1");
        assertEquals(Recording.RECORDED, history.record(key, completion("m-1"), outcome()));
        REDIS.dataSource().execute("HDEL", key.outcomes(), "m-1"); // as that version left it

        assertEquals(Recording.replayed(null), history.record(key, completion("m-1"), outcome()));
        assertEquals(2, history.length(key));
        assertEquals(new Recorded(true, null), history.recorded(key, "m-1"));
    }

    @Test
    void aDeletedConversationRecordsNothingLateAndASessionOfTheSameNameStartsEmpty() {
        ConversationKey old = ConversationKey.session("ns", "again", "s-old");
        history.record(old, completion("m-1"), outcome());

        history.delete(old);
        assertEquals(Recording.CONVERSATION_DELETED, history.record(old, completion("m-2"), outcome()),
                "a Job of the deleted session finishing late");
        assertEquals(0, history.length(old));
        assertEquals(0L, REDIS.dataSource().execute("EXISTS", old.history(), old.meta(), old.applied(), old.index(),
                old.outcomes(), old.chain()).toLong(), "nothing recreated");

        ConversationKey recreated = ConversationKey.session("ns", "again", "s-new");
        assertEquals(0, history.length(recreated));
        assertTrue(history.nextTurn(recreated, "m-9").resume() == null, "no Claude session to resume");
        assertEquals(Recording.RECORDED, history.record(recreated, completion("m-3"), outcome()));
    }

    @Test
    void keysFromBeforeUidsAreTakenOverByTheConversationOnce() {
        String legacy = "cso:{ns/upgraded}:";
        REDIS.dataSource().execute("RPUSH", legacy + "history", "{\"role\":\"user\",\"content\":\"Hello\"}",
                "{\"role\":\"assistant\",\"content\":\"Hi\"}");
        REDIS.dataSource().execute("HSET", legacy + "meta", "currentSessionId", "claude-0", "messageCount", "1");
        REDIS.dataSource().execute("SADD", legacy + "applied", "m-0");

        ConversationKey key = ConversationKey.session("ns", "upgraded", "s-9");
        assertEquals("claude-0", history.nextTurn(key, "m-9").resume().sessionId());
        assertEquals(2, history.length(key));
        assertTrue(history.recorded(key, "m-0").recorded());
        assertNull(history.recorded(key, "m-0").outcome(), "recorded before outcomes were kept");
        assertEquals(0L, REDIS.dataSource().execute("EXISTS", legacy + "history", legacy + "meta", legacy + "applied").toLong());
        assertFalse(history.summary(key).chain().contains("claude-x"));
    }

    /**
     * cso.history.max-entries: recording a turn past the cap trims the oldest turns in the same script; positions
     * stay absolute (the index and a client's offsets name the same entries before and after), and a read says how
     * many were trimmed.
     */
    @Test
    void pastTheCapTheOldestTurnsAreTrimmedAndPositionsStayAbsolute() {
        HistoryStore capped = REDIS.client().history(4);
        ConversationKey key = ConversationKey.session("ns", "capped", "s-cap");
        for (int i = 1; i <= 3; i++) {
            assertEquals(Recording.RECORDED, capped.record(key, turn("m-" + i, i), outcome()));
        }
        assertEquals(4L, REDIS.dataSource().execute("LLEN", key.history()).toLong(), "at most the cap in Redis");
        assertEquals("2", REDIS.dataSource().execute("HGET", key.meta(), "trimmed").toString());
        assertEquals(6, capped.length(key), "every entry ever recorded: the next one's position");

        HistoryStore.Page all = capped.page(key, 0, -1);
        assertEquals(2, all.firstIndex());
        assertEquals(6, all.total());
        assertEquals(List.of("Prompt 2", "Reply 2", "Prompt 3", "Reply 3"), contents(all.entries()));
        assertEquals(List.of("Reply 2", "Prompt 3"), contents(capped.history(key, 3, 2)), "offset 3 is still Reply 2");
        assertEquals(List.of("Prompt 2"), contents(capped.history(key, 0, 3)), "what is left of positions 0 to 2");
        assertEquals(List.of(), contents(capped.history(key, 6, 10)));

        // the messages' own pages: the first was trimmed entirely, the second is whole
        HistoryStore.MessagePage gone = capped.messageHistory(key, "m-1", "chat-01", 0, 10);
        assertEquals(new HistoryStore.MessagePage(List.of(), 2, 2), gone);
        HistoryStore.MessagePage kept = capped.messageHistory(key, "m-2", "chat-01", 0, 10);
        assertEquals(List.of("Prompt 2", "Reply 2"), contents(kept.entries()));
        assertEquals(0, kept.firstIndex());
        assertEquals(List.of("Reply 2"), contents(capped.messageHistory(key, "m-2", "chat-01", 1, 10).entries()));

        // a replay trims nothing more; a failed turn adds no entry and trims nothing; the next turn trims one more
        assertEquals(Recording.Kind.REPLAYED, capped.record(key, turn("m-3", 3), outcome()).kind());
        capped.record(key, new Completion("m-4", "chat-04", false, "Refused", null, "claude-1", null, null, 0, 0, 0, 0, 0,
                null), outcome());
        assertEquals(2, capped.page(key, 0, 0).firstIndex());
        capped.record(key, turn("m-5", 5), outcome());
        HistoryStore.Page after = capped.page(key, 0, -1);
        assertEquals(4, after.firstIndex());
        assertEquals(8, after.total());
        assertEquals(List.of("Prompt 3", "Reply 3", "Prompt 5", "Reply 5"), contents(after.entries()));
        assertEquals(List.of("Prompt 3"), contents(capped.history(key, 4, 1)), "position 4 is Prompt 3, as before");
        assertEquals(List.of("Prompt 5", "Reply 5"), contents(capped.messageHistory(key, "m-5", "chat-05", 0, 10).entries()));
        assertEquals(4, capped.summary(key).messageCount(), "the totals count every succeeded turn, trimmed or not");
        assertEquals(new ResumePoint("claude-1", "turn-5"), capped.nextTurn(key, "m-6").resume(), "resuming is untouched");
    }

    /** Whole turns go, so an odd cap keeps one entry fewer rather than a reply without its prompt. */
    @Test
    void anOddCapTrimsWholeTurns() {
        HistoryStore capped = REDIS.client().history(5);
        ConversationKey key = ConversationKey.session("ns", "odd", "s-odd");
        for (int i = 1; i <= 3; i++) {
            capped.record(key, turn("m-" + i, i), outcome());
        }
        HistoryStore.Page page = capped.page(key, 0, -1);
        assertEquals(2, page.firstIndex());
        assertEquals(List.of("Prompt 2", "Reply 2", "Prompt 3", "Reply 3"), contents(page.entries()));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> REDIS.client().history(1));
    }

    /** A history recorded before the cap existed (no trimmed field) reads as before, and its index stays right. */
    @Test
    void aHistoryFromBeforeTheCapReadsAsBefore() {
        ConversationKey key = ConversationKey.session("ns", "before", "s-before");
        history.record(key, turn("m-1", 1), outcome());
        REDIS.dataSource().execute("HDEL", key.meta(), "trimmed");
        HistoryStore.Page page = history.page(key, 0, -1);
        assertEquals(0, page.firstIndex());
        assertEquals(2, page.total());
        assertEquals(List.of("Prompt 1", "Reply 1"), contents(page.entries()));
        assertEquals(List.of("Reply 1"), contents(history.messageHistory(key, "m-1", "chat-01", 1, 5).entries()));
    }

    private static Completion turn(String uid, int n) {
        return new Completion(uid, "chat-0" + n, true, "Prompt " + n, "Reply " + n, "claude-1", "2026-01-01T00:00:00Z",
                "2026-01-01T00:00:05Z", 0.25, 10, 5, 0, 0, "turn-" + n);
    }

    private static List<String> contents(List<HistoryEntry> entries) {
        return entries.stream().map(HistoryEntry::content).toList();
    }
}
