package dev.sessionops.claude.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class RunLogTest {

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void theOutcomeComesFromEveryLineTheTailOnlyFromTheLast() {
        RunLog.Reader reader = RunLog.reader();
        reader.accept(utf8("{\"type\":\"system\",\"subtype\":\"init\",\"session_id\":\"s-1\"}\n"));
        for (int i = 0; i < RunLog.TAIL_LINES + 500; i++) {
            reader.accept(utf8("{\"type\":\"user\",\"n\":" + i + "}\n"));
        }
        reader.accept(utf8("{\"type\":\"result\",\"subtype\":\"success\",\"result\":\"done\"}")); // no newline: the end
        RunLog log = reader.finish();
        assertEquals("s-1", log.outcome().sessionId());
        assertEquals("done", log.outcome().result());
        assertEquals(RunLog.TAIL_LINES, log.tail().size());
        assertEquals(RunLog.TAIL_LINES + 502, log.tail().get(log.tail().size() - 1).number(), "the last line, numbered");
        assertEquals(503, log.tail().get(0).number());
    }

    @Test
    void theTailIsBoundedInCharactersToo() {
        RunLog.Reader reader = RunLog.reader();
        String line = "{\"type\":\"user\",\"x\":\"" + "y".repeat(1 << 20) + "\"}\n"; // about 1 Mi each
        for (int i = 0; i < 10; i++) {
            reader.accept(utf8(line));
        }
        RunLog log = reader.finish();
        long chars = log.tail().stream().mapToLong(l -> l.text().length()).sum();
        assertTrue(chars <= RunLog.TAIL_CHARS, chars + " characters");
        assertEquals(3, log.tail().size());
        assertEquals(10, log.tail().get(2).number());
    }

    @Test
    void aLineTooLongToReadIsNotInTheTailButExplained() {
        RunLog.Reader reader = RunLog.reader();
        byte[] chunk = utf8("y".repeat(1 << 20));
        reader.accept(utf8("{\"type\":\"result\",\"result\":\""));
        for (int i = 0; i < 3; i++) {
            reader.accept(chunk);
        }
        reader.accept(utf8("\"}\n"));
        RunLog log = reader.finish();
        assertEquals(0, log.tail().size());
        assertTrue(log.outcome().errorMessage().contains("was too long to read"), log.outcome().errorMessage());
    }
}
