package dev.sessionops.claude.events;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Cuts a pod log, as it arrives in chunks, into numbered lines. Only complete lines (ended by a newline) count while
 * the log may still grow: a line cut by the end of one read is read again, whole, by the next. Numbers start at 1 and
 * are what make a re-read harmless: whoever re-reads a log skips the lines it has numbered before.
 */
final class LogLines {
    /** One line of the log; {@code number} is its 1-based position in the whole log. */
    record Line(long number, String text) {
    }

    private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
    private long count;

    /** The lines completed by this chunk. */
    List<Line> feed(byte[] chunk, int length) {
        List<Line> lines = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < length; i++) {
            if (chunk[i] == '\n') {
                partial.write(chunk, start, i - start);
                lines.add(next());
                start = i + 1;
            }
        }
        partial.write(chunk, start, length - start);
        return lines;
    }

    /** The last line when the log has ended without a newline (only once the container has ended). */
    List<Line> finish() {
        return partial.size() == 0 ? List.of() : List.of(next());
    }

    /** All lines of a complete log (the container has ended). */
    static List<Line> of(String log) {
        LogLines lines = new LogLines();
        byte[] bytes = log.getBytes(StandardCharsets.UTF_8);
        List<Line> all = new ArrayList<>(lines.feed(bytes, bytes.length));
        all.addAll(lines.finish());
        return all;
    }

    private Line next() {
        String text = partial.toString(StandardCharsets.UTF_8);
        partial.reset();
        if (text.endsWith("\r")) {
            text = text.substring(0, text.length() - 1);
        }
        return new Line(++count, text);
    }
}
