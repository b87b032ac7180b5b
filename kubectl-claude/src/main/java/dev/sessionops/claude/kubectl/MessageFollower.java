package dev.sessionops.claude.kubectl;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;

/**
 * Prints a message's events: from the operator's API (Server-Sent Events, replayed from the start), or, when the API
 * is not reachable, from the Job's pod log. A watchdog ends an event stream that outlives the message by
 * {@link #GRACE} (a message that failed before it ran has no events to end the stream).
 */
final class MessageFollower {
    static final Duration GRACE = Duration.ofSeconds(5);
    private static final int MAX_RECONNECTS = 5;

    private final Kube kube;
    private final EventPrinter printer;
    private final PrintWriter err;

    MessageFollower(Kube kube, EventPrinter printer, PrintWriter err) {
        this.kube = kube;
        this.printer = printer;
        this.err = err;
    }

    /** @param live follow until the message ends; else show what there is now */
    void follow(String name, boolean live) {
        ClaudeMessage m = kube.requireMessage(name);
        if (!live && !Messages.isTerminal(m)) {
            // the event stream only ends with the run: for a snapshot of a running message, read its log
            podLog(name, false);
            return;
        }
        try {
            fromApi(name);
        } catch (ApiUnavailableException e) {
            if (printer.printedSomething()) {
                throw e;
            }
            err.println("note: " + e.getMessage() + "; reading the pod log instead");
            err.flush();
            podLog(name, live);
        }
    }

    private void podLog(String name, boolean live) {
        new PodLogFollower(kube, line -> printer.accept(null, line)).follow(name, live, printer::sawResult);
    }

    private void fromApi(String name) {
        AtomicReference<AutoCloseable> open = new AtomicReference<>();
        AtomicBoolean stopped = new AtomicBoolean();
        AtomicBoolean done = new AtomicBoolean();
        AtomicReference<Thread> watchdog = new AtomicReference<>();
        try {
            String lastId = null;
            int reconnects = 0;
            while (!printer.sawResult() && !stopped.get()) {
                try {
                    lastId = kube.api().events(kube.namespace(), name, lastId, e -> printer.accept(e.event(), e.data()),
                            body -> {
                                open.set(body);
                                // only once a stream is open: there is nothing to cut short before
                                if (watchdog.get() == null) {
                                    watchdog.set(watchdog(name, open, stopped, done));
                                }
                            });
                    if (!printer.sawResult() && !stopped.get()) {
                        PodLogFollower.sleep(Messages.POLL); // ended early: go on from the last event id
                    }
                } catch (UncheckedIOException e) {
                    if (stopped.get()) {
                        break;
                    }
                    if (++reconnects > MAX_RECONNECTS) {
                        throw new CliException(ExitCodes.UNREACHABLE, e.getMessage(), e);
                    }
                    PodLogFollower.sleep(Duration.ofSeconds(1));
                }
            }
        } finally {
            // a flag, not an interrupt: interrupting a thread inside a Fabric8 request cancels it mid-flight, which
            // left the client's connection dead for the requests after it
            done.set(true);
        }
    }

    private Thread watchdog(String name, AtomicReference<AutoCloseable> open, AtomicBoolean stopped, AtomicBoolean done) {
        Thread t = new Thread(() -> {
            try {
                while (!done.get()) {
                    Thread.sleep(Messages.POLL.toMillis() * 2);
                    if (done.get()) {
                        return;
                    }
                    ClaudeMessage m = kube.message(name);
                    if (m == null || Messages.isTerminal(m)) {
                        Thread.sleep(GRACE.toMillis());
                        if (done.get()) {
                            return;
                        }
                        stopped.set(true);
                        AutoCloseable c = open.get();
                        if (c != null) {
                            c.close();
                        }
                        return;
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                // the watchdog is a safety net; the stream ending by itself is the normal way out
            }
        }, "kubectl-claude-watchdog");
        t.setDaemon(true);
        t.start();
        return t;
    }
}
