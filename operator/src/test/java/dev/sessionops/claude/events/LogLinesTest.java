package dev.sessionops.claude.events;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
        assertEquals(List.of(new LogLines.Line(1, "a"), new LogLines.Line(2, "b")), LogLines.of("a\nb"));
        assertEquals(List.of(new LogLines.Line(1, "a")), LogLines.of("a\n"));
        assertEquals(List.of(), LogLines.of(""));
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

    private static List<LogLines.Line> feed(LogLines lines, String chunk) {
        byte[] bytes = chunk.getBytes(StandardCharsets.UTF_8);
        return lines.feed(bytes, bytes.length);
    }
}
