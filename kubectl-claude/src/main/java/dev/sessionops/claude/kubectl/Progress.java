package dev.sessionops.claude.kubectl;

import java.io.PrintWriter;

/**
 * What a followed message is doing, one line on stderr per change (stdout stays the reply): queued, waiting, pod
 * starting, running, retrying the model API. Lines come from two threads (the status poller and the event reader),
 * each printed whole; a status is printed when it changes, never back from running to pod starting.
 */
final class Progress {
    static final String POD_STARTING = "pod starting";
    static final String RUNNING = "running";
    /** Prints nothing: {@code --quiet}, or a command that shows no progress. */
    static final Progress SILENT = new Progress(null);

    private final PrintWriter err;
    private String lastStatus;
    private boolean ended;

    Progress(PrintWriter err) {
        this.err = err;
    }

    /** The message's state changed (or not: then nothing is printed). */
    synchronized void status(String line) {
        if (line == null || line.equals(lastStatus) || (POD_STARTING.equals(line) && RUNNING.equals(lastStatus))) {
            return;
        }
        lastStatus = line;
        print(line);
    }

    /** Something that happened (a retry), printed each time. */
    synchronized void note(String line) {
        if (line != null) {
            print(line);
        }
    }

    private void print(String line) {
        if (err == null || ended) {
            return;
        }
        err.println(line);
        err.flush();
    }

    /** The message has ended: a poller's late line must not follow its outcome. */
    synchronized void end() {
        ended = true;
    }
}
