package dev.sessionops.claude.events;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Cuts a pod log, as it arrives in chunks, into numbered lines. Only complete lines (ended by a newline) count while
 * the log may still grow: a line cut by the end of one read is read again, whole, by the next. Numbers start at 1 and
 * are what make a re-read harmless: whoever re-reads a log skips the lines it has numbered before.
 * <p>
 * A line is held in memory only up to {@link #MAX_LINE_BYTES}: past that its bytes are counted and dropped, and the
 * line comes out {@linkplain Line#skipped() skipped}, with its first {@link #PREVIEW_BYTES} as its text. So whatever
 * a run prints, reading its log holds at most one capped line (the CLI's largest lines, a result or a tool's output,
 * stay far below the cap: the model's replies and the CLI's tool outputs are bounded).
 */
public final class LogLines {
    /** The longest line kept: 2 MiB. */
    public static final int MAX_LINE_BYTES = 2 << 20;
    static final int PREVIEW_BYTES = 200;

    /**
     * One line of the log; {@code number} is its 1-based position in the whole log. {@code bytes} is a skipped line's
     * length (its {@code text} only the start of it), 0 for a line kept whole.
     */
    public record Line(long number, String text, long bytes) {
        public Line(long number, String text) {
            this(number, text, 0);
        }

        /** The line was longer than {@link #MAX_LINE_BYTES}: only its start is here. */
        public boolean skipped() {
            return bytes > 0;
        }
    }

    private final int maxLineBytes;
    private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
    /** The current line's length so far, counted past the cap as well. */
    private long length;
    private long count;

    public LogLines() {
        this(MAX_LINE_BYTES);
    }

    LogLines(int maxLineBytes) {
        this.maxLineBytes = maxLineBytes;
    }

    /** The lines completed by this chunk. */
    public List<Line> feed(byte[] chunk, int length) {
        List<Line> lines = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < length; i++) {
            if (chunk[i] == '\n') {
                keep(chunk, start, i - start);
                lines.add(next());
                start = i + 1;
            }
        }
        keep(chunk, start, length - start);
        return lines;
    }

    /** The last line when the log has ended without a newline (only once the container has ended). */
    public List<Line> finish() {
        return length == 0 ? List.of() : List.of(next());
    }

    private void keep(byte[] chunk, int from, int n) {
        long room = maxLineBytes - length;
        if (room > 0) {
            partial.write(chunk, from, (int) Math.min(n, room));
        }
        length += n;
        if (length > maxLineBytes && partial.size() > PREVIEW_BYTES) {
            // over the cap: only the preview stays (a skipped line's text)
            byte[] start = partial.toByteArray();
            partial.reset();
            partial.write(start, 0, PREVIEW_BYTES);
        }
    }

    private Line next() {
        long bytes = length > maxLineBytes ? length : 0;
        String text = partial.toString(StandardCharsets.UTF_8);
        partial.reset();
        length = 0;
        if (bytes == 0 && text.endsWith("\r")) {
            text = text.substring(0, text.length() - 1);
        }
        return new Line(++count, text, bytes);
    }
}
