package dev.sessionops.claude.events;

/**
 * One event of a run as kept in its Redis Stream.
 *
 * @param id   the stream entry id (also the SSE {@code id:}, so {@code Last-Event-ID} resumes after it)
 * @param line the line's number in the pod log (how a re-read of the log skips what is already here)
 * @param type the stream-json {@code type}
 * @param data the stream-json line as the CLI wrote it
 */
public record EventEntry(String id, long line, String type, String data) {

    public boolean isResult() {
        return StreamJsonLine.RESULT.equals(type);
    }
}
