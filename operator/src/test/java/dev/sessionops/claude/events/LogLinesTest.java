package dev.sessionops.claude.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

class LogLinesTest {

    @Test
    void onlyCompleteLinesCountWhileTheLogGrows() {
        LogLines lines = new LogLines();
        assertEquals(List.of(), feed(lines, "{\"type\":\"sys"));
        assertEquals(List.of(new LogLines.Line(1, "{\"type\":\"system\"}")), feed(lines, "tem\"}\n{\"type\""));
        assertEquals(List.of(new LogLines.Line(2, "{\"type\":\"result\"}"), new LogLines.Line(3, "")),
                feed(lines, ":\"result\"}\r\n\n"));
        assertEquals(List.of(), lines.finish(), "nothing left over");
    }

    @Test
    void aLastLineWithoutNewlineCountsOnlyWhenTheLogIsComplete() {
        LogLines lines = new LogLines();
        assertEquals(List.of(new LogLines.Line(1, "a")), feed(lines, "a\nb"));
        assertEquals(List.of(new LogLines.Line(2, "b")), lines.finish());
        assertEquals(List.of(new LogLines.Line(1, "a"), new LogLines.Line(2, "b")), all("a\nb"));
        assertEquals(List.of(new LogLines.Line(1, "a")), all("a\n"));
        assertEquals(List.of(), all(""));
    }

    @Test
    void multiByteCharactersSplitAcrossChunksStayWhole() {
        byte[] bytes = "héllo ✓\n".getBytes(StandardCharsets.UTF_8);
        LogLines lines = new LogLines();
        List<LogLines.Line> out = new java.util.ArrayList<>();
        for (byte b : bytes) {
            out.addAll(lines.feed(new byte[] { b }, 1));
        }
        assertEquals(List.of(new LogLines.Line(1, "héllo ✓")), out);
    }

    @Test
    void aLineOverTheCapIsSkippedWithItsStartAndLengthAndTheNextLineIsWhole() {
        LogLines lines = new LogLines(1000);
        String big = "{\"type\":\"user\",\"x\":\"" + "y".repeat(5000) + "\"}";
        List<LogLines.Line> out = new java.util.ArrayList<>();
        // in chunks that straddle the cap and the line ends
        String log = "first\n" + big + "\nlast\n";
        for (int at = 0; at < log.length(); at += 333) {
            out.addAll(feed(lines, log.substring(at, Math.min(log.length(), at + 333))));
        }
        assertEquals(3, out.size());
        assertEquals(new LogLines.Line(1, "first"), out.get(0));
        LogLines.Line skipped = out.get(1);
        assertEquals(2, skipped.number());
        assertTrue(skipped.skipped());
        assertEquals(big.length(), skipped.bytes());
        assertEquals(big.substring(0, LogLines.PREVIEW_BYTES), skipped.text());
        assertEquals(new LogLines.Line(3, "last"), out.get(2));
    }

    @Test
    void aLineOfExactlyTheCapIsKeptWhole() {
        LogLines lines = new LogLines(10);
        assertEquals(List.of(new LogLines.Line(1, "0123456789")), feed(lines, "0123456789\n"));
        LogLines.Line over = feed(lines, "0123456789a\n").get(0);
        assertTrue(over.skipped());
        assertEquals(11, over.bytes());
        assertEquals(List.of(), lines.finish());
    }

    /** All lines of a complete log (the container has ended). */
    private static List<LogLines.Line> all(String log) {
        LogLines lines = new LogLines();
        List<LogLines.Line> all = new java.util.ArrayList<>(feed(lines, log));
        all.addAll(lines.finish());
        return all;
    }

    private static List<LogLines.Line> feed(LogLines lines, String chunk) {
        byte[] bytes = chunk.getBytes(StandardCharsets.UTF_8);
        return lines.feed(bytes, bytes.length);
    }
}
