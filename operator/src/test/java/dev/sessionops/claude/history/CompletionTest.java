package dev.sessionops.claude.history;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CompletionTest {

    private static Completion withReply(String reply) {
        return new Completion("uid", "m", true, "p", reply, "s", null, null, 0, 0, 0, 0, 0, null);
    }

    @Test
    void aReplyWithinTheCapIsKeptWhole() {
        String reply = "r".repeat(Completion.MAX_REPLY_CHARS);
        assertEquals(reply, withReply(reply).reply());
        assertNull(withReply(null).reply());
    }

    @Test
    void aLongerReplyIsCutAtTheCapAndSaysSo() {
        String reply = withReply("r".repeat(Completion.MAX_REPLY_CHARS + 10)).reply();
        assertTrue(reply.startsWith("r".repeat(Completion.MAX_REPLY_CHARS) + "\n[… the reply had "
                + (Completion.MAX_REPLY_CHARS + 10) + " characters"), reply.substring(Completion.MAX_REPLY_CHARS - 5));
    }

    @Test
    void theCutNeverSplitsASurrogatePair() {
        String reply = "r".repeat(Completion.MAX_REPLY_CHARS - 1) + "😀" + "tail";
        String kept = withReply(reply).reply();
        assertEquals("r".repeat(Completion.MAX_REPLY_CHARS - 1) + "\n", kept.substring(0, Completion.MAX_REPLY_CHARS));
    }
}
