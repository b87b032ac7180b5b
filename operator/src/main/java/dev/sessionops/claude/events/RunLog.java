package dev.sessionops.claude.events;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.function.Consumer;

import dev.sessionops.claude.cli.RunOutcome;
import dev.sessionops.claude.cli.StreamJsonParser;

/**
 * A finished run's log, read once from start to end as a stream and never held whole: the CLI's outcome parsed line
 * by line, and the log's last lines, for {@link EventFollower#runEnded} to append what the live events lack (their
 * follower may have been behind, or not running at all).
 * <p>
 * What it holds is bounded whatever the run printed: one line of at most {@link LogLines#MAX_LINE_BYTES} while
 * reading, the parser's capped state, and a tail of at most {@link #TAIL_LINES} lines and {@link #TAIL_CHARS}
 * characters. A follower that missed more than the tail leaves a gap in the live events (their line numbers show
 * it); the record of the run, in status and history, comes from the parser, which saw every line.
 */
public final class RunLog {
    static final int TAIL_LINES = 1000;
    static final long TAIL_CHARS = 4 << 20;

    private final RunOutcome outcome;
    private final List<LogLines.Line> tail;
    private final boolean eventsComplete;

    private RunLog(RunOutcome outcome, List<LogLines.Line> tail, boolean eventsComplete) {
        this.outcome = outcome;
        this.tail = List.copyOf(tail);
        this.eventsComplete = eventsComplete;
    }

    /** An outcome known otherwise (the live events): no lines to add to them. */
    public static RunLog of(RunOutcome outcome) {
        return new RunLog(outcome, List.of(), false);
    }

    /** A reader for one pass over a log, fed its chunks in order. */
    public static Reader reader() {
        return new Reader();
    }

    public RunOutcome outcome() {
        return outcome;
    }

    List<LogLines.Line> tail() {
        return tail;
    }

    /**
     * Whether the live events hold every line through the result, their expiry set when it was appended, and the
     * {@link #tail()} is what came after it: nothing more to do when that is empty.
     */
    boolean eventsComplete() {
        return eventsComplete;
    }

    /** Roughly the characters this holds: what keeping it in memory costs. */
    long heldChars() {
        RunOutcome o = outcome;
        return tail.stream().mapToLong(l -> l.text().length()).sum()
                + (o.result() == null ? 0 : o.result().length()) + (o.assistantText() == null ? 0 : o.assistantText().length());
    }

    /** Feeds a log's chunks to the parser and the tail; {@link #finish()} once the log has ended. */
    public static final class Reader implements Consumer<byte[]> {
        private final LogLines lines = new LogLines();
        private final StreamJsonParser parser = new StreamJsonParser();
        private final Deque<LogLines.Line> tail = new ArrayDeque<>();
        private long tailChars;

        @Override
        public void accept(byte[] chunk) {
            take(lines.feed(chunk, chunk.length));
        }

        public RunLog finish() {
            take(lines.finish());
            return new RunLog(parser.outcome(), List.copyOf(tail), false);
        }

        /** Lines cut by the caller's own {@link LogLines} (the follower's), instead of chunks. */
        void take(List<LogLines.Line> read) {
            read.forEach(this::take);
        }

        /**
         * The log read through {@link #take(List)}, its tail only the lines after {@code appendedThrough}.
         *
         * @param resultAppended the live events got every line through the result line (so their expiry is set)
         */
        RunLog finishAfter(long appendedThrough, boolean resultAppended) {
            return new RunLog(parser.outcome(), tail.stream().filter(l -> l.number() > appendedThrough).toList(),
                    resultAppended);
        }

        private void take(LogLines.Line line) {
            if (line.skipped()) {
                parser.skipped(line.text(), line.bytes());
                return;
            }
            parser.accept(line.text());
            tail.addLast(line);
            tailChars += line.text().length();
            while (tail.size() > TAIL_LINES || tailChars > TAIL_CHARS) {
                tailChars -= tail.removeFirst().text().length();
            }
        }
    }
}
